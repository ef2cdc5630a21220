-- The kernel's own schema. Later kernel tables (outbox, inbox, jobs, idempotency keys) live here too.
create schema if not exists platform;
