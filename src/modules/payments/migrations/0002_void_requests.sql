-- A void asked for while the provider could not be reached (an abandoned checkout, a cancelled order): recorded here
-- and completed by the payments.retry_voids job once the provider answers, so no authorization outlives its order.
alter table payments.payments add column void_requested_at timestamptz;
create index payments_void_requested on payments.payments (void_requested_at)
  where void_requested_at is not null and status in ('pending', 'requires_action', 'authorized');
