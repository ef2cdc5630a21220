-- What an attempt's Idempotency-Key was first sent with: the SHA-256 of the canonical checkout request (cart id,
-- payment provider, payment token; never the token itself). The same key sent for the same cart with another request
-- is refused (422 idempotency.key_reused) instead of replaying this attempt. Null on rows written before: they keep
-- replaying to any request with their key, as before. Nullable with no default: adding it rewrites nothing.
alter table orders.checkout_attempts add column request_hash text;
