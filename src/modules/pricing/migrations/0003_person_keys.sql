-- Per-customer limits count per person: a reservation counts against every key in customer_keys — the account
-- (its user id) and the person (`person:<blind index of the canonical email>`), so an account and guest checkouts
-- with its email share one counter, and no key holds a plaintext email. customer_key stays for rows written by
-- older versions (an account id, or `email:<address>` until the pricing key rotation part replaces it).
alter table pricing.redemption_keys add column customer_keys text[];
create index redemption_keys_legacy_email_idx on pricing.redemption_keys (key) where customer_key like 'email:%';
create index customer_usage_legacy_email_idx on pricing.customer_usage (promotion_id, customer_key)
  where customer_key like 'email:%';
