-- Personal data sealed under the data subject's own key (privacy/data-keys.ts, crypto-shredding): the order's email
-- and addresses, the checkout snapshot, the stored answer and the payment token, return reasons and notes. The old
-- plaintext columns stay nullable for rows written before; new rows never fill them, and the orders key rotation part
-- (orders.privacy.ts) moves what older versions left there into the sealed columns.
alter table orders.orders alter column shipping_address drop not null;
alter table orders.orders add column email_sealed text;
alter table orders.orders add column shipping_address_sealed text;
alter table orders.orders add column billing_address_sealed text;
-- Blind index of the canonical email (privacy/email.ts personIndex): staff lookups, guest export and erasure.
alter table orders.orders add column email_index text;
-- The data key subject the personal fields are sealed under (user:<id>, email:<index>, or order:<id>).
alter table orders.orders add column data_subject text;
-- Set when erasure or retention removed the personal fields (the financial record stays).
alter table orders.orders add column customer_erased_at timestamptz;
create index orders_email_index on orders.orders (email_index) where email_index is not null;
create index orders_data_subject on orders.orders (data_subject) where data_subject is not null;
create index orders_personal_retention on orders.orders (created_at) where customer_erased_at is null;

alter table orders.checkout_attempts alter column snapshot drop not null;
alter table orders.checkout_attempts alter column payment_token drop not null;
alter table orders.checkout_attempts add column snapshot_sealed text;
alter table orders.checkout_attempts add column payment_token_sealed text;
-- The placed answer's body (the order with its token), sealed; `answer` then holds only the order number.
alter table orders.checkout_attempts add column answer_sealed text;
alter table orders.checkout_attempts add column data_subject text;
create index checkout_attempts_subject on orders.checkout_attempts (data_subject) where data_subject is not null;
create index checkout_attempts_finished on orders.checkout_attempts (updated_at) where status in ('placed', 'failed');
