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
  published_at timestamptz
);
create index outbox_unpublished on platform.outbox (seq) where published_at is null;
