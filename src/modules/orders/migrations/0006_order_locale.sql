-- The language of the emails about an order (en, de; null = the shop's default), from the Accept-Language of the
-- checkout request. Nullable with no default: adding it rewrites nothing and takes no long lock.
alter table orders.orders add column locale text;
