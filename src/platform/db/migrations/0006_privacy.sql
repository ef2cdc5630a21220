-- Personal data protection shared by every module (src/platform/privacy/).
create schema privacy;

-- One random AES-256 data key per data subject (`user:<id>` or `email:<blind index>`), stored only wrapped by the
-- master keyring. Deleting a subject's row is its crypto-shredding: every value sealed under it becomes unreadable.
create table privacy.data_keys (
  id text primary key,
  subject text not null unique,
  wrapped text not null,
  created_at timestamptz not null default now()
);

-- Erasure requests: the audit record of who asked to erase whom, and the resumable progress of the erasure
-- (modules done so far). Holds no personal data: an account id and the email's blind indexes only.
create table privacy.erasures (
  id text primary key,
  user_id text,
  email_indexes text[] not null default '{}',
  requested_by text not null,
  reason text,
  status text not null check (status in ('pending', 'done')),
  steps_done text[] not null default '{}',
  records_erased integer not null default 0,
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  check (user_id is not null or cardinality(email_indexes) > 0)
);
create index erasures_pending on privacy.erasures (created_at) where status = 'pending';
create index erasures_user on privacy.erasures (user_id) where user_id is not null;
