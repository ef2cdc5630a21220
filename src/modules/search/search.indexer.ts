// Keeps search.documents in step with the catalog, reading it only through catalog's public API.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import type { CatalogApi, SearchSource } from '../catalog/index.ts';
import { tokenize } from './search.text.ts';

const CHUNK = 500;

function tsv(s: SearchSource) {
  return sql`setweight(to_tsvector('simple', ${s.name}), 'A')
    || setweight(to_tsvector('simple', ${s.brand ?? ''}), 'B')
    || setweight(to_tsvector('simple', ${s.categoryNames.join(' ')}), 'C')
    || setweight(to_tsvector('simple', ${s.description}), 'D')`;
}

export function createIndexer(db: Db, catalog: CatalogApi) {
  async function indexProducts(productIds: string[]): Promise<void> {
    if (!productIds.length) return;
    const sources = await catalog.searchSources(productIds);
    const published = sources.filter((s) => s.status === 'published');
    const words = [
      ...new Set(
        published.flatMap((s) => tokenize([s.name, s.brand ?? '', s.categoryNames.join(' '), s.description].join(' '))),
      ),
    ].filter((w) => w.length <= 100);
    await db.transaction(async (tx) => {
      await tx.deleteFrom('search.documents').where('product_id', 'in', productIds).execute();
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
