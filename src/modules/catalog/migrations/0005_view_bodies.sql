-- Ready storefront JSON per published product and currency (catalog.bodies.ts): a cold list page sends these texts
-- with the stock figures spliced in instead of parsing and re-serialising each document. Rows written before this
-- migration have no body and are served from their document until the product is next written (or the catalog is
-- re-seeded or imported); nothing else changes for them.
-- The product's variant ids in body order, joined by commas (ids never hold one): a text splits faster than an array
-- parses.
alter table catalog.product_view_prices add column variant_ids text;
alter table catalog.product_view_prices add column body text;
-- Kept uncompressed: the body is read on every cold page, and decompressing 30-64 KB a page costs more CPU than the
-- disk it saves.
alter table catalog.product_view_prices alter column body set storage external;
