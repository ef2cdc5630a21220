// Full-text search over search.documents: typo correction and prefix expansion against the word
// list (pg_trgm), weighted ranking (name A > brand B > category C > description D) with the product
// id as a stable tie-break, and exact facet counts. At most two SQL statements per search, run on `reads` (the
// read replica when one is usable and caught up, else the primary: docs/read-replicas.md).
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { primaryReads, type ReadDb } from '../../platform/db/replica.ts';
import { AppError } from '../../platform/errors.ts';
import { CURRENCY_CODE, parseMajorUnits } from '../../platform/money.ts';
import { SEARCH_ERRORS, type SearchHit, type SearchQuery, type SearchResult } from './contract.ts';
import { applyFacets, type Candidate } from './search.facets.ts';
import { buildTsQuery, tokenize } from './search.text.ts';

interface DocRow {
  product_id: string;
  slug: string;
  name: string;
  brand: string | null;
  categories: { id: string; slug: string; name: string }[];
  attributes: Record<string, string[]>;
  min_prices: Record<string, number>;
  max_prices: Record<string, number>;
  created_at: Date;
  rank: number;
}

const MAX_TERMS = 8;

function bad(code: string, field: string, message: string): AppError {
  return new AppError(400, code, 'Bad request', {
    detail: `${field}: ${message}`,
    errors: [{ field: `querystring/${field}`, message }],
  });
}

export function parseFacets(raw: string[] | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of raw ?? []) {
    const m = /^([a-z][a-z0-9_]{0,39}):(.+)$/.exec(f);
    if (!m?.[1] || !m[2]) throw bad(SEARCH_ERRORS.invalidFacet, 'facet', 'must look like brand:Apple,Sony');
    const set = out.get(m[1]) ?? new Set<string>();
    for (const v of m[2].split(',')) if (v.trim()) set.add(v.trim());
    out.set(m[1], set);
  }
  return out;
}

export function createSearchQueries(db: Db, defaultCurrency: string, reads: ReadDb = primaryReads(db)) {
  /** One statement: each term is kept as a prefix when a known word starts with it, else corrected. */
  async function understand(q: string | undefined): Promise<{ tsquery: string; understood: string } | undefined> {
    const terms = [...new Set(tokenize(q ?? ''))].slice(0, MAX_TERMS);
    if (!terms.length) return undefined;
    const res = await reads.run((d) =>
      sql<{ term: string; known: boolean; best: string | null }>`
      select t.term,
        exists (select 1 from search.words w where w.word like t.term || '%') as known,
        (select w.word from search.words w
          where w.word % t.term
          order by similarity(w.word, t.term) desc, w.word limit 1) as best
      from unnest(${terms}::text[]) with ordinality as t(term, n)
      order by t.n`.execute(d.k),
    );
    return buildTsQuery(res.rows);
  }

  async function candidates(tsquery: string | undefined, category: string | undefined): Promise<DocRow[]> {
    const where: RawBuilder<unknown>[] = [sql`true`];
    const query = tsquery ? sql`to_tsquery('simple', ${tsquery})` : undefined;
    if (query) where.push(sql`tsv @@ ${query}`);
    if (category) where.push(sql`category_keys @> array[${category}]::text[]`);
    const res = await reads.run((d) =>
      sql<DocRow>`
      select product_id, slug, name, brand, categories, attributes, min_prices, max_prices, created_at,
        ${query ? sql`ts_rank(tsv, ${query})` : sql`0`}::float8 as rank
      from search.documents where ${sql.join(where, sql` and `)}`.execute(d.k),
    );
    return res.rows;
  }

  function hit(r: DocRow, currency: string): SearchHit {
    const min = r.min_prices[currency];
    const max = r.max_prices[currency];
    return {
      id: r.product_id,
      slug: r.slug,
      name: r.name,
      brand: r.brand,
      categories: r.categories,
      priceRange:
        min === undefined || max === undefined
          ? null
          : { min: { amount: min, currency }, max: { amount: max, currency } },
    };
  }

  async function search(q: SearchQuery): Promise<SearchResult> {
    const currency = q.currency ?? defaultCurrency;
    if (!CURRENCY_CODE.test(currency)) throw bad(SEARCH_ERRORS.invalidFilter, 'currency', 'must be an ISO 4217 code');
    const price = (field: 'minPrice' | 'maxPrice') => {
      const raw = q[field];
      if (raw === undefined) return undefined;
      const n = parseMajorUnits(raw, currency);
      if (n === undefined) throw bad(SEARCH_ERRORS.invalidFilter, field, `must be a decimal amount in ${currency}`);
      return n;
    };
    const filters = { values: parseFacets(q.facet), minPrice: price('minPrice'), maxPrice: price('maxPrice') };
    const limit = q.limit ?? 20;
    let offset = 0;
    if (q.cursor) {
      offset = Number(Buffer.from(q.cursor, 'base64url').toString('utf8'));
      if (!Number.isSafeInteger(offset) || offset < 0) throw bad(SEARCH_ERRORS.invalidCursor, 'cursor', 'is not valid');
    }
    const understood = await understand(q.q);
    const rows = await candidates(understood?.tsquery, q.category);
    const byId = new Map(rows.map((r) => [r.product_id, r]));
    const cands: Candidate[] = rows.map((r) => ({
      id: r.product_id,
      brand: r.brand,
      categorySlugs: r.categories.map((c) => c.slug),
      attributes: r.attributes,
      price: r.min_prices[currency] ?? null,
    }));
    const { matches, facets } = applyFacets(cands, filters, currency);
    const sorted = matches
      .map((c) => byId.get(c.id) as DocRow)
      .sort(comparator(q.sort ?? (understood ? 'relevance' : 'newest'), currency));
    const page = sorted.slice(offset, offset + limit);
    const next = offset + limit < sorted.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    return {
      items: page.map((r) => hit(r, currency)),
      total: sorted.length,
      limit,
      ...(next ? { nextCursor: next } : {}),
      query: understood?.understood ?? '',
      facets: facets as SearchResult['facets'],
    };
  }

  async function suggest(
    q: string,
    limit = 8,
  ): Promise<{ query: string; items: { id: string; slug: string; name: string }[] }> {
    const understood = await understand(q);
    if (!understood) return { query: '', items: [] };
    const res = await reads.run((d) =>
      sql<{ product_id: string; slug: string; name: string }>`
      select product_id, slug, name from search.documents
      where tsv @@ to_tsquery('simple', ${understood.tsquery})
      order by ts_rank(tsv, to_tsquery('simple', ${understood.tsquery})) desc, name, product_id
      limit ${limit}`.execute(d.k),
    );
    return {
      query: understood.understood,
      items: res.rows.map((r) => ({ id: r.product_id, slug: r.slug, name: r.name })),
    };
  }

  return { search, suggest };
}

type Sort = NonNullable<SearchQuery['sort']>;

function comparator(sort: Sort, currency: string): (a: DocRow, b: DocRow) => number {
  const byId = (a: DocRow, b: DocRow) => (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0);
  const price = (r: DocRow) => r.min_prices[currency] ?? Number.MAX_SAFE_INTEGER;
  switch (sort) {
    case 'relevance':
      return (a, b) => b.rank - a.rank || byId(a, b);
    case 'newest':
      return (a, b) => b.created_at.getTime() - a.created_at.getTime() || byId(b, a);
    case 'name':
      return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || byId(a, b);
    case 'price-asc':
      return (a, b) => price(a) - price(b) || byId(a, b);
    case 'price-desc':
      return (a, b) => price(b) - price(a) || byId(a, b);
  }
}

export type SearchQueries = ReturnType<typeof createSearchQueries>;
