-- Returns (POST /v1/orders/{id}/returns): a customer asks to send shipped units back; staff receive them (refund,
-- optional restock) or reject the request. Per line, the units claimed by open and received returns never exceed the
-- units shipped (a guarded update), and the units received are what refunds are computed from.
alter table orders.order_lines add column returned_quantity int not null default 0;
alter table orders.order_lines add column return_received_quantity int not null default 0;
alter table orders.order_lines add constraint order_lines_returned_within_shipped
  check (returned_quantity >= 0 and returned_quantity <= shipped_quantity
    and return_received_quantity >= 0 and return_received_quantity <= returned_quantity);

create table orders.returns (
  id text primary key,
  order_id text not null references orders.orders (id),
  status text not null check (status in ('requested', 'received', 'rejected')),
  items jsonb not null,                    -- [{variantId, quantity}]
  reason text,
  -- Set when received: what was refunded (minor units of the order's currency) and whether the units were restocked.
  refund_amount bigint,
  restock boolean,
  note text,
  requested_by text not null,
  decided_by text,
  created_at timestamptz not null default now(),
  decided_at timestamptz
);
create index returns_order on orders.returns (order_id, created_at);
create index returns_open on orders.returns (created_at) where status = 'requested';
