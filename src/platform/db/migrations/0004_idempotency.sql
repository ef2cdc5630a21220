-- Idempotency-Key records (IETF httpapi-idempotency-key-header): scoped to caller and route.
create table platform.idempotency_keys (
  scope text not null,
  key text not null,
  request_hash text not null,
  status text not null check (status in ('in_progress', 'done')),
  locked_until timestamptz,
  response_status integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (scope, key)
);
create index idempotency_keys_expires on platform.idempotency_keys (expires_at);
