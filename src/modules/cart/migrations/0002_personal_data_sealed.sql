-- Personal data of a cart (email, shipping and billing address) is sealed under the cart's data key subject in
-- one column (cart.pii.ts); email_index is the blind index of the canonical email (erasure and export by email).
-- The plaintext columns stay, nullable, only for rows written by older versions: the cart's key rotation part
-- moves them into pii_enc and clears them.
alter table cart.carts add column pii_enc text, add column email_index text;
create index carts_email_index_idx on cart.carts (email_index) where email_index is not null;
create index carts_user_idx on cart.carts (user_id) where user_id is not null;
-- Retention of abandoned guest carts (cart.retention.ts).
create index carts_guest_retention_idx on cart.carts (updated_at)
  where user_id is null and status in ('active', 'expired', 'merged');
-- Rows a rotation still has to seal (plaintext left by older versions).
create index carts_legacy_plaintext_idx on cart.carts (id)
  where email is not null or shipping_address is not null or billing_address is not null;
