-- Outbound webhooks: staff-registered endpoints, one delivery per (endpoint, event), and each delivery's attempts.

create table webhooks.endpoints (
  id text primary key,
  url text not null,
  description text,
  -- Public event types this endpoint receives; '*' stands for every public type.
  event_types text[] not null,
  enabled boolean not null default true,
  -- 'manual' (staff) or 'failures' (too many consecutive failed attempts); null while enabled.
  disabled_reason text check (disabled_reason in ('manual', 'failures')),
  disabled_at timestamptz,
  -- The signing secret (whsec_…) sealed with the master key; the previous one signs too until it expires.
  secret_sealed text not null,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  -- Failed attempts since the last success: reaching WEBHOOKS_DISABLE_AFTER_FAILURES disables the endpoint.
  consecutive_failures integer not null default 0,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index endpoints_live on webhooks.endpoints (id) where deleted_at is null;

create table webhooks.deliveries (
  -- msg_…: the webhook-id header, the same on every attempt so receivers can de-duplicate.
  id text primary key,
  endpoint_id text not null references webhooks.endpoints (id),
  event_id text not null,
  event_type text not null,
  -- The exact JSON body sent on every attempt.
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'cancelled')),
  attempts integer not null default 0,
  -- Failed attempts of the current run (a replay starts a new run): the index into the retry schedule.
  run_failures integer not null default 0,
  next_attempt_at timestamptz,
  lease_token text,
  lease_until timestamptz,
  last_status_code integer,
  last_error text,
  last_latency_ms integer,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Events arrive at least once; an endpoint gets one delivery per event.
  unique (endpoint_id, event_id)
);

create index deliveries_due on webhooks.deliveries (next_attempt_at) where status = 'pending';
create index deliveries_by_endpoint on webhooks.deliveries (endpoint_id, id);

create table webhooks.delivery_attempts (
  delivery_id text not null references webhooks.deliveries (id),
  attempt integer not null,
  started_at timestamptz not null,
  status_code integer,
  error text,
  latency_ms integer not null,
  succeeded boolean not null,
  primary key (delivery_id, attempt)
);
