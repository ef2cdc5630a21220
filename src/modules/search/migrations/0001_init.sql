-- Search: its own read model of published products, fed from the catalog's public API.
create schema search;
create extension if not exists pg_trgm;

create table search.documents (
  product_id text primary key,
  slug text not null,
  name text not null,
  brand text,
  -- Ids and slugs of the product's categories and their ancestors (category filter).
  category_keys text[] not null default '{}',
  categories jsonb not null default '[]',
  -- Attribute name → distinct values over the variants, e.g. {"color": ["black", "white"]}.
  attributes jsonb not null default '{}',
  -- Currency → cheapest / dearest variant price in minor units.
  min_prices jsonb not null default '{}',
  max_prices jsonb not null default '{}',
  created_at timestamptz not null,
  -- Weighted: name A, brand B, category names C, description D.
  tsv tsvector not null,
  indexed_at timestamptz not null default now()
);
create index documents_tsv_idx on search.documents using gin (tsv);
create index documents_category_keys_idx on search.documents using gin (category_keys);

-- Every word of the indexed text, for typo correction and prefix expansion with pg_trgm.
create table search.words (
  word text primary key
);
create index words_trgm_idx on search.words using gin (word gin_trgm_ops);
