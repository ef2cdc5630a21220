-- Bundle promotions (a set of items for a fixed price) and staff edits: soft deletion keeps redemption history.
alter table pricing.promotions drop constraint promotions_kind_check;
alter table pricing.promotions add constraint promotions_kind_check
  check (kind in ('percentage', 'fixed', 'free_shipping', 'buy_x_get_y', 'bundle'));
-- bundle: [{"productId": "prod_…"} | {"variantId": "var_…"}, "quantity": n]; value is the bundle price in currency.
alter table pricing.promotions add column bundle_items jsonb;
alter table pricing.promotions add constraint promotions_bundle_check
  check (kind <> 'bundle' or (jsonb_typeof(bundle_items) = 'array' and currency is not null));
-- A deleted promotion stops applying (inactive, its codes answer unknown_code) but its row, coupons and
-- redemptions stay for the orders that used it; deleted_at is never cleared.
alter table pricing.promotions add column deleted_at timestamptz;
alter table pricing.promotions add column updated_at timestamptz not null default now();
alter table pricing.promotions add constraint promotions_deleted_inactive_check check (deleted_at is null or not active);
