-- Storefront price rows are kept for published products only: the storefront counts a price-filtered product list
-- from catalog.product_view_prices alone (an index-only count) instead of joining every matching document.
-- A draft or archived product's rows were never shown (the storefront joins on status = 'published').
delete from catalog.product_view_prices p
using catalog.product_views v
where v.product_id = p.product_id and v.status <> 'published';
