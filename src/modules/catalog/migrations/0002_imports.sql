-- Bulk imports: one row per run with its progress and the first row errors.
create table catalog.imports (
  id text primary key,
  format text not null check (format in ('csv', 'ndjson')),
  status text not null default 'running' check (status in ('running', 'completed', 'failed')),
  rows_total integer not null default 0,
  rows_ok integer not null default 0,
  rows_failed integer not null default 0,
  products_changed integer not null default 0,
  errors jsonb not null default '[]',
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
