-- Inventory: warehouses, per-variant policies, stock levels, reservations and the stock ledger.
-- Variant ids belong to the catalog: plain text values here, no foreign key across schemas.
create schema inventory;

create table inventory.warehouses (
  id text primary key,
  name text not null check (length(name) between 1 and 200),
  country text not null check (country ~ '^[A-Z]{2}$'),
  priority integer not null default 0,
  active boolean not null default true,
  created_at timestamptz not null default now()
);

-- tracked: never sell more than on hand; untracked: no levels touched, always available;
-- backorder: each level of the variant may be reserved up to backorder_limit units below zero.
create table inventory.policies (
  variant_id text primary key,
  mode text not null default 'tracked' check (mode in ('tracked', 'untracked', 'backorder')),
  backorder_limit integer not null default 0 check (backorder_limit >= 0),
  low_stock_threshold integer check (low_stock_threshold >= 0),
  updated_at timestamptz not null default now(),
  check (mode = 'backorder' or backorder_limit = 0)
);

-- backorder_limit is the policy's limit copied onto each level (0 unless the variant allows
-- backorders), so the database itself refuses oversell: on_hand - reserved >= -backorder_limit.
create table inventory.levels (
  variant_id text not null,
  warehouse_id text not null references inventory.warehouses (id),
  on_hand integer not null default 0,
  reserved integer not null default 0,
  backorder_limit integer not null default 0,
  updated_at timestamptz not null default now(),
  primary key (variant_id, warehouse_id),
  constraint levels_reserved_nonnegative check (reserved >= 0),
  constraint levels_backorder_limit_nonnegative check (backorder_limit >= 0),
  constraint levels_on_hand_covers_reserved check (on_hand - reserved >= -backorder_limit)
);

create table inventory.reservations (
  id text primary key,
  key text not null unique,
  status text not null check (status in ('active', 'released', 'committed', 'expired')),
  -- The canonical request (lines summed per variant, sorted): a retry with other lines is a conflict.
  request_hash text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index reservations_active_expiry on inventory.reservations (expires_at) where status = 'active';

-- Where each reserved unit sits. warehouse_id is null for untracked variants (no level touched).
create table inventory.reservation_lines (
  reservation_id text not null references inventory.reservations (id),
  line_no integer not null,
  variant_id text not null,
  warehouse_id text references inventory.warehouses (id),
  quantity integer not null check (quantity > 0),
  primary key (reservation_id, line_no)
);
create index reservation_lines_level on inventory.reservation_lines (variant_id, warehouse_id);

-- The append-only stock ledger: per level, sum(quantity) = on_hand.
create table inventory.movements (
  id text primary key,
  variant_id text not null,
  warehouse_id text not null references inventory.warehouses (id),
  kind text not null check (kind in ('receive', 'adjust', 'count', 'damage', 'commit')),
  quantity integer not null,
  -- What was asked: the signed change, or the counted quantity for kind = count.
  requested integer not null,
  reason text not null,
  actor text not null,
  idempotency_key text unique,
  reservation_id text references inventory.reservations (id),
  created_at timestamptz not null default now()
);
create index movements_level on inventory.movements (variant_id, warehouse_id);

create function inventory.movements_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'inventory.movements is append-only';
end $$;
create trigger movements_append_only before update or delete on inventory.movements
  for each row execute function inventory.movements_append_only();
