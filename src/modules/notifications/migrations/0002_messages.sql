-- Transactional email: one row per (event, template, recipient), claimed by the dispatcher with a lease, sent
-- outside any transaction, retried with backoff and dead-lettered after MAIL_MAX_ATTEMPTS. The recipient address
-- and the template parameters (names, addresses, tokens) are sealed under the recipient's data key (`data_subject`);
-- `person_user_id` and `person_index` (the canonical email's blind index) find a person's rows for export and erasure.
create table notifications.messages (
  id text primary key,
  -- event id, template kind and the recipient's blind index: the exactly-once key of a delivery.
  dedupe_key text not null unique,
  event_id text not null,
  kind text not null check (length(kind) between 1 and 100),
  locale text not null check (locale in ('en', 'de')),
  data_subject text not null,
  person_user_id text,
  person_index text,
  recipient_sealed text not null,
  params_sealed text not null,
  -- The subject line as sent (sealed: it may name the person), for the person's export.
  subject_sealed text,
  status text not null default 'pending' check (status in ('pending', 'sending', 'failed', 'sent', 'dead')),
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  lease_token text,
  lease_until timestamptz,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  check ((status = 'sending') = (lease_until is not null))
);

-- The dispatcher's claim: due pending or failed messages, and sending ones whose lease ran out.
create index messages_due on notifications.messages (next_attempt_at) where status in ('pending', 'failed');
create index messages_leased on notifications.messages (lease_until) where status = 'sending';
create index messages_status on notifications.messages (status, id);
create index messages_person_user on notifications.messages (person_user_id) where person_user_id is not null;
create index messages_person_index on notifications.messages (person_index) where person_index is not null;

-- The local mail outbox (no SMTP_URL): the rendered message, sealed under the recipient's data key, for staff and
-- developers to read at GET /v1/admin/notifications/outbox.
create table notifications.mail_outbox (
  id text primary key,
  message_id text not null unique references notifications.messages (id) on delete cascade,
  kind text not null,
  content_sealed text not null,
  created_at timestamptz not null default now()
);
