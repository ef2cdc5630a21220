-- Scheduled (interval) jobs: one row per job name; a run is claimed with a lease, once per tick.
create table platform.scheduled_jobs (
  name text primary key,
  interval_ms integer not null,
  next_run_at timestamptz not null,
  leased_until timestamptz,
  leased_by text,
  runs integer not null default 0,
  failures integer not null default 0,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_duration_ms integer,
  last_error text
);

-- Queued one-off jobs.
create table platform.job_queue (
  id text primary key,
  name text not null,
  payload jsonb not null default '{}'::jsonb,
  -- An optional de-duplication key: enqueueing the same (name, key) twice is a no-op.
  dedupe_key text,
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'dead')),
  run_at timestamptz not null default now(),
  attempts integer not null default 0,
  max_attempts integer not null default 5,
  leased_until timestamptz,
  leased_by text,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (name, dedupe_key)
);
create index job_queue_due on platform.job_queue (run_at) where status in ('queued', 'running');
