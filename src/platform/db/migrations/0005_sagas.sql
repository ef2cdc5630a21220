-- Saga progress for the kernel's PostgreSQL saga store (modules may keep their own table instead).
create table platform.sagas (
  id text primary key,
  name text not null,
  status text not null check (status in ('running', 'compensating', 'completed', 'compensated', 'dead')),
  input jsonb not null,
  results jsonb not null default '{}'::jsonb,
  completed_steps integer not null default 0,
  compensated_steps integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index sagas_unfinished on platform.sagas (updated_at) where status in ('running', 'compensating');
