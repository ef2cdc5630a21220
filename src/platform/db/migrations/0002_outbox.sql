-- Transactional outbox: rows are appended in the producer's transaction and delivered by the relay.
create table platform.outbox (
  seq bigserial primary key,
  id text not null unique,
  type text not null,
  version integer not null default 1,
  aggregate_id text not null,
  occurred_at timestamptz not null,
  correlation_id text,
  causation_id text,
  traceparent text,
  payload jsonb not null,
  -- A NATS relay's lease while it publishes outside any transaction; expired leases are taken over.
  claimed_until timestamptz,
  publish_attempts integer not null default 0,
  published_at timestamptz
);
create index outbox_unpublished on platform.outbox (seq) where published_at is null;
-- Per-aggregate order: a row is only claimed when no earlier row of its aggregate is unpublished.
create index outbox_unpublished_aggregate on platform.outbox (aggregate_id, seq) where published_at is null;
create index outbox_published_at on platform.outbox (published_at) where published_at is not null;

-- In-process delivery: one row per (event, subscriber), deleted once the handler succeeded.
create table platform.event_deliveries (
  seq bigint not null,
  event_id text not null,
  subscriber text not null,
  aggregate_id text not null,
  ordered boolean not null default false,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  leased_until timestamptz,
  last_error text,
  primary key (subscriber, event_id)
);
create index event_deliveries_due on platform.event_deliveries (next_attempt_at, seq);
create index event_deliveries_order on platform.event_deliveries (subscriber, aggregate_id, seq);

-- Inbox: a handler's effect happens once per event (insert in the handler's own transaction).
create table platform.inbox (
  handler text not null,
  event_id text not null,
  processed_at timestamptz not null default now(),
  primary key (handler, event_id)
);

-- Deliveries that failed N times; visible and retryable at /v1/admin/events/dead-letters.
create table platform.event_dead_letters (
  id text primary key,
  event_id text not null,
  subscriber text not null,
  event jsonb not null,
  attempts integer not null,
  last_error text not null,
  created_at timestamptz not null default now(),
  unique (subscriber, event_id)
);
