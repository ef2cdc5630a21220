// Full-text search over search.documents: typo correction and prefix expansion against the word list (pg_trgm),
// weighted ranking (name A > brand B > category C > description D) with the product id as a stable tie-break, and
// exact facet counts computed in SQL (search.statement.ts). Two SQL statements per search, run on `reads` (the read
// replica when one is usable and caught up, else the primary: docs/read-replicas.md).
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { primaryReads, type ReadDb } from '../../platform/db/replica.ts';
import { AppError } from '../../platform/errors.ts';
import { isCurrencyCode } from '../../platform/iso-codes.ts';
import { parseMajorUnits } from '../../platform/money.ts';
import {
  type FacetValue,
  type PriceBucket,
  SEARCH_ERRORS,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
} from './contract.ts';
import { bucketEdges, type PageRow, type SearchStatementRow, searchStatement } from './search.statement.ts';
import { buildTsQuery, tokenize } from './search.text.ts';

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
  /**
   * One statement: each term is kept as a prefix when a known word starts with it (one probe of the bytewise index:
   * the first word at or after the term starts with it when any does), else corrected to its most similar word.
   */
  async function understand(q: string | undefined): Promise<{ tsquery: string; understood: string } | undefined> {
    const terms = [...new Set(tokenize(q ?? ''))].slice(0, MAX_TERMS);
    if (!terms.length) return undefined;
    const res = await reads.run((d) =>
      sql<{ term: string; known: boolean; best: string | null }>`
      select k.term, k.known,
        case when k.known then null else (select w.word from search.words w
          where w.word % k.term
          order by similarity(w.word, k.term) desc, w.word limit 1) end as best
      from (
        select t.term, t.n, coalesce(starts_with((select w.word collate "C" from search.words w
          where w.word collate "C" >= t.term order by w.word collate "C" limit 1), t.term), false) as known
        from unnest(${terms}::text[]) with ordinality as t(term, n)
        -- A fence: inlined, the probe would run twice per term (k.known is read twice above).
        offset 0
      ) k
      order by k.n`.execute(d.k),
    );
    return buildTsQuery(res.rows);
  }

  function hit(r: PageRow, currency: string): SearchHit {
    return {
      id: r.id,
      slug: r.slug,
      name: r.name,
      brand: r.brand,
      categories: r.categories,
      priceRange:
        r.min === null || r.max === null
          ? null
          : { min: { amount: r.min, currency }, max: { amount: r.max, currency } },
    };
  }

  async function search(q: SearchQuery): Promise<SearchResult> {
    const currency = q.currency ?? defaultCurrency;
    if (!isCurrencyCode(currency)) throw bad(SEARCH_ERRORS.invalidFilter, 'currency', 'must be an ISO 4217 code');
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
    const res = await reads.run((d) =>
      searchStatement({
        tsquery: understood?.tsquery,
        category: q.category,
        currency,
        filters,
        sort: q.sort ?? (understood ? 'relevance' : 'newest'),
        limit,
        offset,
      }).execute(d.k),
    );
    const row = res.rows[0] as SearchStatementRow;
    const next = offset + limit < row.total ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    return {
      items: row.items.map((r) => hit(r, currency)),
      total: row.total,
      limit,
      ...(next ? { nextCursor: next } : {}),
      query: understood?.understood ?? '',
      facets: facetsOf(row, filters.values, currency),
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

const byCountThenValue = (a: FacetValue, b: FacetValue) =>
  b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/** The facets object: brand, category, every attribute (of the candidates or filtered on) by name, then price. */
function facetsOf(
  row: SearchStatementRow,
  filtered: Map<string, Set<string>>,
  currency: string,
): SearchResult['facets'] {
  const values = new Map<string, FacetValue[]>();
  const buckets = new Map<number, number>();
  const attributes = new Set<string>();
  for (const [facet, value, count] of row.counts) {
    if (facet === 'price') buckets.set(Number(value), count);
    else {
      if (facet !== 'brand' && facet !== 'category') attributes.add(facet);
      if (value !== null && count > 0) values.set(facet, [...(values.get(facet) ?? []), { value, count }]);
    }
  }
  for (const k of filtered.keys()) if (k !== 'brand' && k !== 'category') attributes.add(k);
  const facets: Record<string, FacetValue[] | PriceBucket[]> = {};
  for (const facet of ['brand', 'category', ...[...attributes].sort()]) {
    facets[facet] = (values.get(facet) ?? []).sort(byCountThenValue);
  }
  const edges = bucketEdges(currency);
  facets.price = edges.flatMap((min, i) => {
    const count = buckets.get(min);
    return count ? [{ min, max: edges[i + 1] ?? null, count }] : [];
  });
  return facets as SearchResult['facets'];
}

export type SearchQueries = ReturnType<typeof createSearchQueries>;
