-- The tax category of a product (pricing's tax rates are per region and category: `standard`, `reduced`, …).
alter table catalog.products add column tax_category text not null default 'standard';
alter table catalog.products add constraint products_tax_category_format
  check (tax_category ~ '^[a-z][a-z0-9_]{0,39}$');
