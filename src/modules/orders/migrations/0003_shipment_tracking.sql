-- Shipment tracking (PATCH /v1/admin/shipments/{id}): staff or a carrier integration (an API key with orders:manage)
-- move a shipment forward, shipped → in_transit → delivered, and correct its carrier or tracking number. When every
-- shipment of a fully shipped order is delivered, the order becomes delivered.
alter table orders.shipments add column status text not null default 'shipped'
  check (status in ('shipped', 'in_transit', 'delivered'));
alter table orders.shipments add column delivered_at timestamptz;
alter table orders.shipments add column updated_at timestamptz not null default now();
