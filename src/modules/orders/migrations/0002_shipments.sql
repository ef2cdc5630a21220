-- Shipments recorded against an order (capture at shipment, partially_shipped → shipped). The fulfillment module,
-- when it exists, records them through the orders API; the quantities shipped per line are guarded here.
alter table orders.order_lines add column shipped_quantity int not null default 0;
alter table orders.order_lines add constraint order_lines_shipped_within_quantity
  check (shipped_quantity >= 0 and shipped_quantity <= quantity);

create table orders.shipments (
  id text primary key,
  order_id text not null references orders.orders (id),
  items jsonb not null,                    -- [{variantId, quantity}]
  carrier text,
  tracking_number text,
  created_by text not null,
  created_at timestamptz not null default now()
);
create index shipments_order on orders.shipments (order_id, created_at);
