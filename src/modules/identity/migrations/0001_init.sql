-- Identity: users, sessions and refresh tokens, single-use account tokens, API keys, addresses,
-- login throttling counters and the security audit log. Personal fields are stored encrypted
-- (`v1.<keyId>.<iv>.<ciphertext+tag>`); the email is found through an HMAC blind index.
create schema identity;

create table identity.users (
  id text primary key,
  email_index text unique,
  email_enc text,
  name_enc text,
  phone_enc text,
  password_hash text,
  roles text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'erased')),
  email_verified_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  erased_at timestamptz
);
create index users_created_idx on identity.users (created_at, id);

create table identity.sessions (
  id text primary key,
  user_id text not null references identity.users (id) on delete cascade,
  ip text,
  user_agent text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text
);
create index sessions_user_idx on identity.sessions (user_id);

create table identity.refresh_tokens (
  token_hash text primary key,
  session_id text not null references identity.sessions (id) on delete cascade,
  user_id text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index refresh_tokens_session_idx on identity.refresh_tokens (session_id);
create index refresh_tokens_expires_idx on identity.refresh_tokens (expires_at);

create table identity.account_tokens (
  token_hash text primary key,
  user_id text not null references identity.users (id) on delete cascade,
  purpose text not null check (purpose in ('verify_email', 'password_reset')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index account_tokens_user_idx on identity.account_tokens (user_id);

create table identity.api_keys (
  id text primary key,
  name text not null,
  prefix text not null,
  key_hash text not null unique,
  permissions text[] not null,
  created_by text,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table identity.addresses (
  id text primary key,
  user_id text not null references identity.users (id) on delete cascade,
  data_enc text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index addresses_user_idx on identity.addresses (user_id, id);

-- Failed-login counters per IP and per account (`ip:<addr>`, `acct:<blind index>`), shared by every process.
create table identity.login_throttle (
  key text primary key,
  failures integer not null,
  window_started_at timestamptz not null,
  locked_until timestamptz
);

create table identity.audit_log (
  id text primary key,
  at timestamptz not null default now(),
  action text not null,
  actor_kind text not null,
  actor_id text,
  subject_id text,
  ip text,
  detail jsonb not null default '{}'
);
create index audit_log_subject_idx on identity.audit_log (subject_id, id);
