// The search statement: filtering, facet counts, the total and the page, all in PostgreSQL, in one round trip.
// The text query and the category select the candidates (GIN indexes); each facet filter then becomes a boolean
// column, so a facet's counts are taken over the candidates passing every filter except its own (choosing Sony still
// shows how many Apple items there are). Only the page and the counts leave the database, never the candidates.
import { type RawBuilder, sql } from 'kysely';
import { currencyExponent } from '../../platform/money.ts';
import type { SearchQuery } from './contract.ts';

export type SearchSort = NonNullable<SearchQuery['sort']>;

export interface SearchFilters {
  /** facet name → accepted values (brand, category, or an attribute name). */
  values: Map<string, Set<string>>;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
}

export interface SearchStatementInput {
  tsquery: string | undefined;
  category: string | undefined;
  currency: string;
  filters: SearchFilters;
  sort: SearchSort;
  limit: number;
  offset: number;
}

export interface PageRow {
  id: string;
  slug: string;
  name: string;
  brand: string | null;
  categories: { id: string; slug: string; name: string }[];
  min: number | null;
  max: number | null;
}

export interface SearchStatementRow {
  total: number;
  items: PageRow[];
  /**
   * [facet, value, count]; facet is `brand`, `category`, `price` (value: the bucket's lower edge) or an attribute.
   * Every attribute of every candidate has at least one row, with a count of 0 (or a null value) when no candidate
   * passing the other filters has it.
   */
  counts: [string, string | null, number][];
}

const BUCKET_EDGES_MAJOR = [0, 25, 50, 100, 200, 500, 1000];

/** Price bucket edges in minor units: [0, 25, 50, 100, 200, 500, 1000] major units; the last bucket is open. */
export function bucketEdges(currency: string): number[] {
  const unit = 10 ** currencyExponent(currency);
  return BUCKET_EDGES_MAJOR.map((e) => e * unit);
}

// Sort keys: names and ids compare bytewise (collate "C"), created_at at millisecond precision, a missing price
// last in ascending and first in descending order; every order ends on the product id.
const NO_PRICE = sql`9007199254740991`;
const ORDER: Record<SearchSort, RawBuilder<unknown>> = {
  relevance: sql`rank desc, product_id collate "C" asc`,
  newest: sql`date_trunc('milliseconds', created_at) desc, product_id collate "C" desc`,
  name: sql`name collate "C" asc, product_id collate "C" asc`,
  'price-asc': sql`coalesce(price, ${NO_PRICE}) asc, product_id collate "C" asc`,
  'price-desc': sql`coalesce(price, ${NO_PRICE}) desc, product_id collate "C" asc`,
};

/** `a and b and …`, or `true` for none. */
function all(parts: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

export function searchStatement(input: SearchStatementInput): RawBuilder<SearchStatementRow> {
  const { currency, filters } = input;
  const query = input.tsquery ? sql`to_tsquery('simple', ${input.tsquery})` : undefined;
  const where: RawBuilder<unknown>[] = [];
  if (query) where.push(sql`d.tsv @@ ${query}`);
  if (input.category) where.push(sql`d.category_keys @> array[${input.category}]::text[]`);

  // One boolean column per facet filter, named f0, f1, …; attribute filters also remember their attribute.
  const flags: { name: string; facet: string; expr: RawBuilder<unknown> }[] = [];
  for (const [facet, accepted] of filters.values) {
    const values = [...accepted];
    const name = `f${flags.length}`;
    if (facet === 'brand') flags.push({ name, facet, expr: sql`c.brand = any(${values}::text[])` });
    else if (facet === 'category')
      flags.push({
        name,
        facet,
        expr: sql`exists (select 1 from jsonb_array_elements(c.categories) e where e->>'slug' = any(${values}::text[]))`,
      });
    else flags.push({ name, facet, expr: sql`coalesce(c.attributes -> ${facet} ?| ${values}::text[], false)` });
  }
  const price: RawBuilder<unknown>[] = [];
  if (filters.minPrice !== undefined) price.push(sql`c.price >= ${filters.minPrice}`);
  if (filters.maxPrice !== undefined) price.push(sql`c.price <= ${filters.maxPrice}`);
  const priceFlag = price.length ? sql`coalesce(${all(price)}, false)` : sql`true`;

  const flag = (f: { name: string }) => sql.ref(`f.${f.name}`);
  const except = (facet: string) => all([...flags.filter((f) => f.facet !== facet).map(flag), sql`f.fp`]);
  const exceptPrice = all(flags.filter((f) => f.facet !== 'price').map(flag));
  // An attribute's counts skip that attribute's own filter: the row's key decides which filter is left out.
  const exceptAttribute = all([
    ...flags.filter((f) => f.facet === 'brand' || f.facet === 'category').map(flag),
    ...flags
      .filter((f) => f.facet !== 'brand' && f.facet !== 'category')
      .map((f) => sql`(kv.key = ${f.facet} or ${flag(f)})`),
    sql`f.fp`,
  ]);
  const flagColumns = flags.map((f) => sql`${f.expr} as ${sql.ref(f.name)}`);

  return sql<SearchStatementRow>`
    with c as materialized (
      select d.product_id, d.slug, d.name, d.brand, d.categories, d.attributes, d.created_at,
        (d.min_prices ->> ${currency})::bigint as price,
        (d.max_prices ->> ${currency})::bigint as max_price,
        ${query && input.sort === 'relevance' ? sql`ts_rank(d.tsv, ${query})` : sql`0`}::float8 as rank
      from search.documents d
      where ${all(where)}
    ),
    f as materialized (
      select c.*, ${sql.join([...flagColumns, sql`${priceFlag} as fp`])} from c
    ),
    m as (
      select * from f where ${all([...flags.map(flag), sql`f.fp`])}
    ),
    page as (
      select * from m order by ${ORDER[input.sort]} limit ${input.limit} offset ${input.offset}
    ),
    counts as (
      select 'brand' as facet, f.brand as value, count(*) as n
        from f where f.brand is not null and ${except('brand')} group by f.brand
      union all
      select 'category', s.slug, count(*)
        from f cross join lateral (
          select distinct e->>'slug' as slug from jsonb_array_elements(f.categories) e
        ) s
        where s.slug is not null and ${except('category')} group by s.slug
      union all
      -- Over every candidate, so that an attribute no passing candidate has still shows (with no values).
      select kv.key, v.value, count(*) filter (where v.value is not null and ${exceptAttribute})
        from f cross join lateral jsonb_each(f.attributes) kv
        left join lateral (select distinct x as value from jsonb_array_elements_text(
          case when jsonb_typeof(kv.value) = 'array' then kv.value else '[]' end) x) v on true
        where kv.key not in ('brand', 'category', 'price')
        group by kv.key, v.value
      union all
      select 'price', (e.edges)[b]::text, count(*)
        from (select ${bucketEdges(currency)}::bigint[] as edges) e
        cross join lateral (select width_bucket(f.price, e.edges) as b from f
          where f.price is not null and ${exceptPrice}) p
        where b > 0 group by e.edges, b
    )
    select
      (select count(*) from m)::int as total,
      (select coalesce(json_agg(json_build_object(
          'id', product_id, 'slug', slug, 'name', name, 'brand', brand, 'categories', categories,
          'min', price, 'max', max_price) order by ${ORDER[input.sort]}), '[]')
        from page) as items,
      (select coalesce(json_agg(json_build_array(facet, value, n)), '[]') from counts) as counts`;
}
