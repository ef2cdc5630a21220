-- Carts and their lines. Variant, product and user ids are plain values owned by other modules.
create schema cart;

create table cart.carts (
  id text primary key,
  -- The guest credential (unguessable, 256 bits), compared in constant time.
  token text not null,
  user_id text,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  country text check (country ~ '^[A-Z]{2}$'),
  email text,
  shipping_address jsonb,
  billing_address jsonb,
  shipping_method_id text,
  coupon_codes text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'completed', 'merged', 'expired')),
  merged_into text,
  order_id text,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- At most one active cart per customer: concurrent first-cart creation converges on one row.
create unique index carts_one_active_per_user on cart.carts (user_id) where status = 'active' and user_id is not null;
create index carts_expiry_idx on cart.carts (updated_at) where status = 'active';

create table cart.items (
  id text primary key,
  cart_id text not null references cart.carts (id) on delete cascade,
  variant_id text not null,
  product_id text not null,
  sku text not null,
  name text not null,
  quantity integer not null check (quantity between 1 and 999),
  unit_price bigint not null check (unit_price >= 0),
  weight_grams integer not null default 0,
  category_ids text[] not null default '{}',
  created_at timestamptz not null default now(),
  constraint items_cart_variant_key unique (cart_id, variant_id)
);
