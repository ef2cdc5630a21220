create schema orders;

-- One checkout attempt per cart at a time: the saga's record (steps done, lease, deadline, final answer).
create table orders.checkout_attempts (
  id text primary key,                      -- the order id, chosen at creation
  cart_id text not null,
  idempotency_key text not null,
  status text not null check (status in ('running', 'waiting', 'compensating', 'placed', 'failed')),
  steps text[] not null default '{}',
  claimed_by text,
  claimed_until timestamptz not null,
  expires_at timestamptz not null,
  snapshot jsonb not null,
  payment_token text not null,
  caller_hash text not null,               -- who may replay once the cart refuses reads (customer id or cart token)
  payment_id text,
  next_action_url text,
  answer_status int,
  answer jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index checkout_attempts_one_live_per_cart on orders.checkout_attempts (cart_id) where status <> 'failed';
create index checkout_attempts_key on orders.checkout_attempts (cart_id, idempotency_key, created_at);
create index checkout_attempts_sweep on orders.checkout_attempts (claimed_until) where status in ('running', 'compensating');
create index checkout_attempts_waiting on orders.checkout_attempts (expires_at) where status = 'waiting';

create sequence orders.order_number_seq start 1000;

create table orders.orders (
  id text primary key,
  number bigint not null unique,
  cart_id text not null,
  user_id text,
  email text,
  status text not null,
  currency text not null,
  subtotal bigint not null,
  discount bigint not null,
  shipping bigint not null,
  tax bigint not null,
  total bigint not null,
  shipping_address jsonb not null,
  billing_address jsonb,
  shipping_method jsonb not null,
  promotions jsonb not null,
  payment_id text,
  payment_status text not null,
  order_token_hash text,
  version int not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index orders_user on orders.orders (user_id, id desc);
create index orders_status on orders.orders (status, id desc);

create table orders.order_lines (
  order_id text not null references orders.orders (id),
  line_no int not null,
  variant_id text not null,
  product_id text not null,
  sku text not null,
  name text not null,
  quantity int not null check (quantity > 0),
  unit_price bigint not null,
  line_total bigint not null,
  discount bigint not null,
  tax bigint not null,
  primary key (order_id, line_no)
);

-- Append-only: who, what, when, why. Replaying it rebuilds the order's status.
create table orders.order_events (
  seq bigserial primary key,
  order_id text not null references orders.orders (id),
  type text not null,
  from_status text,
  to_status text,
  actor text not null,
  reason text,
  data jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index order_events_order on orders.order_events (order_id, seq);
