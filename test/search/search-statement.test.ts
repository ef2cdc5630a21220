// The search statement (filters, facet counts, total, sorted page, all in SQL) against the reference model in
// test/search/facets-model.ts, on 400 generated documents and 300 generated queries, on PGlite and on PostgreSQL.
// The candidates for the model are read with the plain text match the statement starts from; everything after that
// (facet filters, per-facet counts, price buckets, sorts, pages) is computed twice and must agree exactly.
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchQueries } from '../../src/modules/search/search.query.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { openTestDb, type TestDb } from '../support/test-db.ts';
import { applyFacets, compare, type ModelDoc, type ModelSort } from './facets-model.ts';

const DIR = fileURLToPath(new URL('../../src/modules/search/migrations/', import.meta.url));
const WORDS = ['red', 'lamp', 'chair', 'oak', 'steel', 'desk', 'lampshade', 'zebra'];
const BRANDS = ['Acme', 'Bolt', 'Ça', 'acme', 'Zed'];
const CATEGORIES = ['chairs', 'desks', 'lamps', 'outdoor'];
const COLORS = ['black', 'white', 'red', 'Blue'];
const SIZES = ['S', 'M', 'L'];
const SORTS: ModelSort[] = ['relevance', 'newest', 'name', 'price-asc', 'price-desc'];

/** A small seeded generator (mulberry32), so a failure replays. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Doc {
  id: string;
  name: string;
  brand: string | null;
  categories: { id: string; slug: string; name: string }[];
  attributes: Record<string, string[]>;
  minPrices: Record<string, number>;
  maxPrices: Record<string, number>;
  createdAt: Date;
}

function generate(n: number, r: () => number): Doc[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const some = <T>(xs: T[]): T[] => xs.filter(() => r() < 0.4);
  const base = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const cats = some(CATEGORIES);
    const attributes: Record<string, string[]> = {};
    if (r() < 0.8) attributes.color = some(COLORS);
    if (r() < 0.5) attributes.size = some(SIZES).length ? some(SIZES) : ['M'];
    if (r() < 0.1) attributes.material = ['oak'];
    const eur = r() < 0.9 ? Math.floor(r() * 150_000) : undefined;
    const minPrices: Record<string, number> = eur === undefined ? {} : { EUR: eur, JPY: Math.floor(eur / 100) };
    const maxPrices: Record<string, number> =
      eur === undefined ? {} : { EUR: eur + 500, JPY: Math.floor(eur / 100) + 5 };
    return {
      id: `prod_${String(Math.floor(r() * 1e6)).padStart(6, '0')}_${i}`,
      name: `${pick(WORDS)} ${pick(WORDS)} ${r() < 0.5 ? pick(WORDS) : ''}`.trim(),
      brand: r() < 0.85 ? pick(BRANDS) : null,
      categories: cats.map((c) => ({ id: `cat_${c}`, slug: c, name: c })),
      attributes,
      minPrices,
      maxPrices,
      // Many share a millisecond (and differ in microseconds), to exercise the tie-breaks.
      createdAt: new Date(base + Math.floor(r() * 40) * 1000 + (r() < 0.5 ? 0.25 : 0.75)),
    };
  });
}

async function insert(db: Db, docs: Doc[]): Promise<void> {
  for (const [i, d] of docs.entries()) {
    await sql`insert into search.documents (product_id, slug, name, brand, category_keys, categories, attributes,
        min_prices, max_prices, created_at, tsv)
      values (${d.id}, ${d.id}, ${d.name}, ${d.brand}, ${d.categories.flatMap((c) => [c.id, c.slug])}::text[],
        ${JSON.stringify(d.categories)}::jsonb, ${JSON.stringify(d.attributes)}::jsonb,
        ${JSON.stringify(d.minPrices)}::jsonb, ${JSON.stringify(d.maxPrices)}::jsonb,
        ${d.createdAt.toISOString().replace('Z', `${i % 10}Z`)}::timestamptz,
        setweight(to_tsvector('simple', ${d.name}), 'A') || setweight(to_tsvector('simple', ${d.brand ?? ''}), 'B'))`.execute(
      db.k,
    );
    await sql`insert into search.words (word) select unnest(${d.name.split(' ')}::text[]) on conflict do nothing`.execute(
      db.k,
    );
  }
}

interface Params {
  q?: string;
  category?: string;
  facet: string[];
  minPrice?: string;
  maxPrice?: string;
  sort?: ModelSort;
  limit: number;
  page: number;
  currency: 'EUR' | 'JPY';
}

function randomParams(r: () => number): Params {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const some = <T>(xs: T[]): T[] => xs.filter(() => r() < 0.35);
  const p: Params = { facet: [], limit: 1 + Math.floor(r() * 25), page: Math.floor(r() * 3), currency: 'EUR' };
  if (r() < 0.7) p.q = r() < 0.3 ? `${pick(WORDS)} ${pick(WORDS)}` : pick(['lamp', 'red', 'oak', 'la', 'ch', 'zeb']);
  if (r() < 0.2) p.category = pick(CATEGORIES);
  if (r() < 0.2) p.currency = 'JPY';
  const facets: [string, string[]][] = [
    ['brand', BRANDS],
    ['category', CATEGORIES],
    ['color', COLORS],
    ['size', SIZES],
    ['material', ['oak', 'pine']],
    ['finish', ['matte']],
  ];
  for (const [name, values] of facets) {
    const chosen = r() < 0.25 ? some(values) : [];
    if (chosen.length) p.facet.push(`${name}:${chosen.join(',')}`);
  }
  const unit = p.currency === 'JPY' ? 1 : 100;
  if (r() < 0.25) p.minPrice = String(Math.floor(r() * 600 * unit) / unit);
  if (r() < 0.25) p.maxPrice = String(Math.floor(r() * 1200 * unit) / unit);
  if (r() < 0.8) p.sort = pick(SORTS);
  return p;
}

function parseFacetParams(raw: string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of raw) {
    const [name, values] = f.split(':') as [string, string];
    out.set(name, new Set(values.split(',')));
  }
  return out;
}

const MAJOR = (s: string | undefined, currency: string) =>
  s === undefined ? undefined : Math.round(Number(s) * (currency === 'JPY' ? 1 : 100));

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !process.env.TEST_DATABASE_URL)(`search statement on ${kind}`, () => {
    let t: TestDb;
    let docs: Doc[];
    beforeAll(async () => {
      t = await openTestDb({ kind });
      await migrate(t.db, [{ module: 'search', dir: DIR }]);
      docs = generate(400, rng(20261206));
      await insert(t.db, docs);
    }, 120_000);
    afterAll(async () => t?.dispose());

    it('[REQ-SRC-004] [REQ-SRC-005] 300 generated queries: total, page order and every facet count equal the reference model', async () => {
      const search = createSearchQueries(t.db, 'EUR');
      const r = rng(7);
      const byId = new Map(docs.map((d) => [d.id, d]));
      let nonEmpty = 0;
      for (let i = 0; i < 300; i++) {
        const p = randomParams(r);
        const got = await search.search({
          ...(p.q ? { q: p.q } : {}),
          ...(p.category ? { category: p.category } : {}),
          facet: p.facet,
          ...(p.minPrice ? { minPrice: p.minPrice } : {}),
          ...(p.maxPrice ? { maxPrice: p.maxPrice } : {}),
          ...(p.sort ? { sort: p.sort } : {}),
          limit: p.limit,
          ...(p.page ? { cursor: Buffer.from(String(p.page * p.limit)).toString('base64url') } : {}),
          currency: p.currency,
        });
        // The model's candidates: the understood text query and the category, read plainly.
        const where = p.q ? sql`tsv @@ to_tsquery('simple', ${toTsquery(p.q, got.query)})` : sql`true`;
        const rows = await sql<{ product_id: string; created_at: Date; rank: number }>`
          select product_id, created_at,
            ${p.q ? sql`ts_rank(tsv, to_tsquery('simple', ${toTsquery(p.q, got.query)}))` : sql`0`}::float8 as rank
          from search.documents
          where ${where} ${p.category ? sql`and category_keys @> array[${p.category}]::text[]` : sql``}`.execute(
          t.db.k,
        );
        const cands: ModelDoc[] = rows.rows.map((row) => {
          const d = byId.get(row.product_id) as Doc;
          return {
            id: d.id,
            name: d.name,
            brand: d.brand,
            categorySlugs: d.categories.map((c) => c.slug),
            attributes: d.attributes,
            price: d.minPrices[p.currency] ?? null,
            createdAt: row.created_at,
            rank: row.rank,
          };
        });
        const filters = {
          values: parseFacetParams(p.facet),
          minPrice: MAJOR(p.minPrice, p.currency),
          maxPrice: MAJOR(p.maxPrice, p.currency),
        };
        const { matches, facets } = applyFacets(cands, filters, p.currency);
        const sorted = (matches as ModelDoc[]).sort(compare(p.sort ?? (p.q ? 'relevance' : 'newest')));
        const offset = p.page * p.limit;
        const label = JSON.stringify(p);
        expect(got.total, label).toBe(sorted.length);
        expect(
          got.items.map((h) => h.id),
          label,
        ).toEqual(sorted.slice(offset, offset + p.limit).map((c) => c.id));
        expect(got.facets, label).toEqual(facets);
        expect(got.nextCursor !== undefined, label).toBe(offset + p.limit < sorted.length);
        for (const h of got.items) {
          const d = byId.get(h.id) as Doc;
          const min = d.minPrices[p.currency];
          const max = d.maxPrices[p.currency];
          expect(h.priceRange, label).toEqual(
            min === undefined || max === undefined
              ? null
              : { min: { amount: min, currency: p.currency }, max: { amount: max, currency: p.currency } },
          );
        }
        if (sorted.length) nonEmpty++;
      }
      // The generator must produce real work, not 300 empty answers.
      expect(nonEmpty).toBeGreaterThan(150);
    }, 240_000);
  });
}

/** The tsquery search built from what it understood: a term kept as typed is a prefix, a corrected one is exact. */
function toTsquery(typed: string, understood: string): string {
  const terms = [...new Set(typed.toLowerCase().split(/\s+/).filter(Boolean))];
  return understood
    .split(' ')
    .map((w, i) => (w === terms[i] ? `${w}:*` : w))
    .join(' & ');
}
