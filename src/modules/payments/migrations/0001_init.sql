-- Payments: one payment per order, its refunds, the provider webhook events already processed,
-- and the reconciliation reports.
create schema if not exists payments;

create table payments.payments (
  id text primary key,
  order_id text not null unique,
  amount bigint not null check (amount > 0),
  currency char(3) not null,
  provider text not null,
  provider_payment_id text unique,
  idempotency_key text not null unique,
  status text not null check (status in
    ('pending', 'requires_action', 'authorized', 'captured', 'partially_refunded', 'refunded', 'failed', 'voided')),
  captured_amount bigint not null default 0 check (captured_amount >= 0 and captured_amount <= amount),
  refunded_amount bigint not null default 0 check (refunded_amount >= 0 and refunded_amount <= captured_amount),
  next_action_url text,
  failure_code text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index payments_created_at on payments.payments (created_at);

create table payments.refunds (
  id text primary key,
  payment_id text not null references payments.payments (id),
  idempotency_key text not null,
  amount bigint not null check (amount > 0),
  reason text not null,
  status text not null check (status in ('pending', 'succeeded', 'failed')),
  provider_refund_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (payment_id, idempotency_key)
);

-- A provider event id is processed once: the insert commits with the transition it caused.
create table payments.webhook_events (
  provider text not null,
  event_id text not null,
  type text not null,
  provider_payment_id text,
  received_at timestamptz not null default now(),
  primary key (provider, event_id)
);

create table payments.reconciliation_runs (
  id text primary key,
  window_from timestamptz not null,
  window_to timestamptz not null,
  checked integer not null,
  repaired jsonb not null,
  drifts jsonb not null,
  created_at timestamptz not null default now()
);
create index reconciliation_runs_created_at on payments.reconciliation_runs (created_at desc);
