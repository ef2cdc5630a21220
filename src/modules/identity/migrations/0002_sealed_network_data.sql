-- The IP and user agent of sessions and the IP of audit entries are personal data: from this version they are
-- sealed under the account's data key (`s1.`, or under the master key `v1.` when no account is known) in the new
-- `*_sealed` columns. The plaintext columns stay only for rows written by older versions; identity's key
-- rotation part moves them into the sealed columns and clears them (the partial indexes find what is left).
alter table identity.sessions add column ip_sealed text, add column user_agent_sealed text;
alter table identity.audit_log add column ip_sealed text;
create index sessions_plaintext_idx on identity.sessions (id) where ip is not null or user_agent is not null;
create index audit_log_plaintext_idx on identity.audit_log (id) where ip is not null;
create index audit_log_master_key_idx on identity.audit_log (id) where ip_sealed like 'v1.%';
-- Retention deletes audit entries older than RETENTION_AUDIT_DAYS.
create index audit_log_at_idx on identity.audit_log (at);
