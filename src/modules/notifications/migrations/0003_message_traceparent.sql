-- The W3C traceparent of the event handling that queued a message (tracing on, docs/tracing.md): its SMTP send's span
-- continues that trace. Nullable, no default: a catalog-only change, no rewrite; older rows have none.
alter table notifications.messages add column traceparent text;
