// Keeps search.documents in step with the catalog, reading it only through catalog's public API.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { typed } from '../../platform/db/typed.ts';
import type { CatalogApi, SearchSource } from '../catalog/index.ts';
import type { SearchDb } from './db.generated.ts';
import { tokenize } from './search.text.ts';

const CHUNK = 500;

function tsv(s: SearchSource) {
  return sql<string>`setweight(to_tsvector('simple', ${s.name}), 'A')
    || setweight(to_tsvector('simple', ${s.brand ?? ''}), 'B')
    || setweight(to_tsvector('simple', ${s.categoryNames.join(' ')}), 'C')
    || setweight(to_tsvector('simple', ${s.description}), 'D')`;
}

export function createIndexer(db: Db, catalog: CatalogApi) {
  async function indexProducts(productIds: string[]): Promise<void> {
    if (!productIds.length) return;
    const sources = await catalog.searchSources(productIds);
    // In id order: concurrent batches that share products lock their documents in the same order (no deadlock).
    const published = sources.filter((s) => s.status === 'published').sort((a, b) => (a.id < b.id ? -1 : 1));
    const words = [
      ...new Set(
        published.flatMap((s) => tokenize([s.name, s.brand ?? '', s.categoryNames.join(' '), s.description].join(' '))),
      ),
    ].filter((w) => w.length <= 100);
    // Upsert, not delete-then-insert: two handlers indexing the same product at once (events of two catalog changes)
    // would otherwise both insert it and one would fail on the primary key.
    const publishedIds = new Set(published.map((s) => s.id));
    const gone = productIds.filter((id) => !publishedIds.has(id));
    await db.transaction(async (t) => {
      const tx = typed<SearchDb>(t);
      if (gone.length) await tx.deleteFrom('search.documents').where('product_id', 'in', gone).execute();
      for (let i = 0; i < published.length; i += CHUNK) {
        await tx
          .insertInto('search.documents')
          .values(
            published.slice(i, i + CHUNK).map((s) => ({
              product_id: s.id,
              slug: s.slug,
              name: s.name,
              brand: s.brand,
              category_keys: s.categoryKeys,
              categories: JSON.stringify(s.categories),
              attributes: JSON.stringify(s.attributes),
              min_prices: JSON.stringify(s.minPrices),
              max_prices: JSON.stringify(s.maxPrices),
              created_at: s.createdAt,
              tsv: tsv(s),
            })),
          )
          .onConflict((oc) =>
            oc.column('product_id').doUpdateSet((eb) => ({
              slug: eb.ref('excluded.slug'),
              name: eb.ref('excluded.name'),
              brand: eb.ref('excluded.brand'),
              category_keys: eb.ref('excluded.category_keys'),
              categories: eb.ref('excluded.categories'),
              attributes: eb.ref('excluded.attributes'),
              min_prices: eb.ref('excluded.min_prices'),
              max_prices: eb.ref('excluded.max_prices'),
              created_at: eb.ref('excluded.created_at'),
              tsv: eb.ref('excluded.tsv'),
              indexed_at: sql<Date>`now()`,
            })),
          )
          .execute();
      }
      for (let i = 0; i < words.length; i += CHUNK * 4) {
        await tx
          .insertInto('search.words')
          .values(words.slice(i, i + CHUNK * 4).map((word) => ({ word })))
          .onConflict((oc) => oc.column('word').doNothing())
          .execute();
      }
    });
  }

  async function reindexAll(): Promise<number> {
    let after: string | null = null;
    let n = 0;
    for (;;) {
      const ids = await catalog.productIdsAfter(after, CHUNK);
      if (!ids.length) return n;
      await indexProducts(ids);
      n += ids.length;
      after = ids[ids.length - 1] ?? null;
    }
  }

  async function isEmpty(): Promise<boolean> {
    const r = await sql<{ one: number }>`select 1 as one from search.documents limit 1`.execute(db.k);
    return r.rows.length === 0;
  }

  return { indexProducts, reindexAll, isEmpty };
}
