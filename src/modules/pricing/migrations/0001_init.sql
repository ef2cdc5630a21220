-- Pricing: tax rates by region and tax category, shipping methods by zone, promotions, coupons,
-- campaigns and redemptions. Product, category and customer ids are plain values (no cross-schema keys).
create schema pricing;

-- A region is a country with an optional province ('' = the whole country).
create table pricing.tax_rates (
  id text primary key,
  country text not null check (country ~ '^[A-Z]{2}$'),
  province text not null default '',
  tax_category text not null default 'standard',
  rate_bp integer not null check (rate_bp between 0 and 10000),
  prices_include_tax boolean not null default false,
  created_at timestamptz not null default now(),
  constraint tax_rates_region_key unique (country, province, tax_category)
);

-- kind flat: price; weight: price + per_kg per started kilogram. free_above: free when the subtotal reaches it.
create table pricing.shipping_methods (
  id text primary key,
  name text not null check (length(name) between 1 and 200),
  countries text[] not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  kind text not null check (kind in ('flat', 'weight')),
  price bigint not null check (price >= 0),
  per_kg bigint not null default 0 check (per_kg >= 0),
  free_above bigint check (free_above >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table pricing.campaigns (
  id text primary key,
  name text not null,
  usage_limit integer check (usage_limit >= 0),
  redemptions integer not null default 0,
  check (usage_limit is null or redemptions <= usage_limit)
);

create table pricing.promotions (
  id text primary key,
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('percentage', 'fixed', 'free_shipping', 'buy_x_get_y')),
  value bigint not null default 0 check (value >= 0),
  currency text check (currency ~ '^[A-Z]{3}$'),
  automatic boolean not null default false,
  min_subtotal bigint check (min_subtotal >= 0),
  product_ids text[] not null default '{}',
  category_ids text[] not null default '{}',
  starts_at timestamptz,
  ends_at timestamptz,
  exclusive boolean not null default false,
  priority integer not null default 0,
  buy_quantity integer check (buy_quantity between 1 and 999),
  get_quantity integer check (get_quantity between 1 and 999),
  usage_limit integer check (usage_limit >= 0),
  per_customer_limit integer check (per_customer_limit >= 0),
  campaign_id text references pricing.campaigns (id),
  redemptions integer not null default 0,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  check (usage_limit is null or redemptions <= usage_limit),
  check (kind <> 'percentage' or value between 1 and 10000)
);
create index promotions_automatic_idx on pricing.promotions (automatic) where active;

create table pricing.coupons (
  code text primary key check (code ~ '^[A-Z0-9_-]{2,64}$'),
  promotion_id text not null references pricing.promotions (id),
  created_at timestamptz not null default now()
);
create index coupons_promotion_idx on pricing.coupons (promotion_id);

-- One row per reservation key (the checkout attempt): reserved → committed | released.
create table pricing.redemption_keys (
  key text primary key,
  customer_key text,
  status text not null check (status in ('reserved', 'committed', 'released')),
  created_at timestamptz not null default now()
);
create table pricing.redemptions (
  key text not null references pricing.redemption_keys (key),
  promotion_id text not null references pricing.promotions (id),
  primary key (key, promotion_id)
);
create table pricing.customer_usage (
  promotion_id text not null references pricing.promotions (id),
  customer_key text not null,
  redemptions integer not null default 0 check (redemptions >= 0),
  primary key (promotion_id, customer_key)
);

-- Sensible defaults: VAT in a few countries, US sales tax left at 0 (net prices), two shipping methods.
insert into pricing.tax_rates (id, country, tax_category, rate_bp, prices_include_tax) values
  ('txr_de_standard', 'DE', 'standard', 1900, false),
  ('txr_de_reduced', 'DE', 'reduced', 700, false),
  ('txr_nl_standard', 'NL', 'standard', 2100, false),
  ('txr_fr_standard', 'FR', 'standard', 2000, false),
  ('txr_at_standard', 'AT', 'standard', 2000, false),
  ('txr_gb_standard', 'GB', 'standard', 2000, false),
  ('txr_us_standard', 'US', 'standard', 0, false);
insert into pricing.shipping_methods (id, name, countries, currency, kind, price, per_kg, free_above) values
  ('shm_eu_standard', 'Standard (EU)', '{DE,NL,FR,AT,BE,IT,ES}', 'EUR', 'flat', 495, 0, 5000),
  ('shm_eu_express', 'Express (EU)', '{DE,NL,FR,AT,BE,IT,ES}', 'EUR', 'weight', 995, 200, null),
  ('shm_us_standard', 'Standard (US)', '{US}', 'USD', 'flat', 799, 0, 7500);
