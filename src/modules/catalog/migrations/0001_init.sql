-- Catalog: products, variants, prices, categories, and the denormalised storefront read model.
create schema catalog;

create table catalog.categories (
  id text primary key,
  parent_id text references catalog.categories (id),
  slug text not null,
  name text not null,
  -- Ids and slugs of this category and all its ancestors (a category never moves once created).
  path_keys text[] not null,
  created_at timestamptz not null default now(),
  constraint categories_slug_key unique (slug)
);
create index categories_parent_idx on catalog.categories (parent_id);

create table catalog.products (
  id text primary key,
  slug text not null,
  name text not null,
  description text not null default '',
  brand text,
  status text not null default 'draft' check (status in ('draft', 'published', 'archived')),
  images jsonb not null default '[]',
  seo_title text,
  seo_description text,
  metadata jsonb not null default '{}',
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint products_slug_key unique (slug)
);

create table catalog.product_categories (
  product_id text not null references catalog.products (id) on delete cascade,
  category_id text not null references catalog.categories (id),
  primary key (product_id, category_id)
);
create index product_categories_category_idx on catalog.product_categories (category_id);

create table catalog.variants (
  id text primary key,
  product_id text not null references catalog.products (id) on delete cascade,
  sku text not null,
  attributes jsonb not null default '{}',
  barcode text,
  weight_grams integer,
  dimensions jsonb,
  cost bigint,
  position integer not null default 0,
  created_at timestamptz not null default now(),
  constraint variants_sku_key unique (sku)
);
create index variants_product_idx on catalog.variants (product_id, position);

create table catalog.prices (
  variant_id text not null references catalog.variants (id) on delete cascade,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount bigint not null check (amount >= 0),
  compare_at bigint check (compare_at >= 0),
  primary key (variant_id, currency)
);

-- The storefront read model: one document per product, rewritten in the same transaction as
-- every write to the product, so a list page is one indexed query.
create table catalog.product_views (
  product_id text primary key,
  slug text not null,
  status text not null,
  name text not null,
  brand text,
  category_keys text[] not null default '{}',
  created_at timestamptz not null,
  doc jsonb not null
);
create index product_views_slug_idx on catalog.product_views (slug);
create index product_views_newest_idx on catalog.product_views (created_at desc, product_id desc) where status = 'published';
create index product_views_name_idx on catalog.product_views (name, product_id) where status = 'published';
create index product_views_categories_idx on catalog.product_views using gin (category_keys);

-- Price per product and currency (cheapest and dearest variant) for price filters and sorts.
create table catalog.product_view_prices (
  product_id text not null references catalog.product_views (product_id) on delete cascade,
  currency text not null,
  min_amount bigint not null,
  max_amount bigint not null,
  primary key (product_id, currency)
);
create index product_view_prices_sort_idx on catalog.product_view_prices (currency, min_amount, product_id);
