// Loads a generated catalog with batch inserts in one transaction, skipping when products exist.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { newId } from '../../platform/ids.ts';
import { type GeneratorOptions, generateCatalog } from './catalog.demo-data.ts';
import { catalogTables, insertProducts, insertVariants } from './catalog.repo.ts';
import { buildView, refreshViewStatistics, writeViews } from './catalog.views.ts';
import type { StaffProduct } from './contract.ts';

const CHUNK = 500;

function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Returns the number of products inserted (0 when the catalog already had products). */
export async function seedCatalog(db: Db, options: GeneratorOptions): Promise<number> {
  const { categories, products } = generateCatalog(options);
  const inserted = await db.transaction(async (tx) => {
    const any = await sql<{ one: number }>`select 1 as one from catalog.products limit 1`.execute(tx);
    if (any.rows.length) return 0;
    const catIds = new Map<string, { id: string; slug: string; name: string; pathKeys: string[] }>();
    for (const c of categories) {
      const id = newId('cat');
      const parent = c.parentKey ? catIds.get(c.parentKey) : undefined;
      const pathKeys = [...(parent?.pathKeys ?? []), id, c.slug];
      catIds.set(c.key, { id, slug: c.slug, name: c.name, pathKeys });
      await catalogTables(tx)
        .insertInto('catalog.categories')
        .values({
          id,
          parent_id: parent?.id ?? null,
          slug: c.slug,
          name: c.name,
          path_keys: pathKeys,
        })
        .execute();
    }
    const pathKeys = new Map([...catIds.values()].map((c) => [c.id, c.pathKeys]));
    const categoryId = (key: string) => {
      const c = catIds.get(key);
      if (!c) throw new Error(`demo catalog: unknown category ${key}`);
      return c.id;
    };
    const staff: StaffProduct[] = [];
    for (const batch of chunks(products, 200)) {
      const rows = batch.map((p) => ({ id: newId('prod'), p }));
      await insertProducts(
        tx,
        rows.map(({ id, p }) => ({
          id,
          slug: p.slug,
          name: p.name,
          description: p.description,
          brand: p.brand,
          status: 'published' as const,
          images: p.images,
          seoTitle: p.name,
          seoDescription: p.description,
          metadata: { demo: true },
          createdAt: p.createdAt,
        })),
      );
      await catalogTables(tx)
        .insertInto('catalog.product_categories')
        .values(rows.map(({ id, p }) => ({ product_id: id, category_id: categoryId(p.categoryKey) })))
        .execute();
      const variants = rows.flatMap(({ id, p }) =>
        p.variants.map((v, position) => ({ id: newId('var'), productId: id, position, input: v })),
      );
      for (const vb of chunks(variants)) await insertVariants(tx, vb);
      for (const { id, p } of rows) {
        const cat = catIds.get(p.categoryKey);
        const vs = variants.filter((v) => v.productId === id);
        staff.push({
          id,
          slug: p.slug,
          name: p.name,
          description: p.description,
          brand: p.brand,
          status: 'published',
          images: p.images,
          seoTitle: p.name,
          seoDescription: p.description,
          metadata: {},
          taxCategory: 'standard',
          categories: cat ? [{ id: cat.id, slug: cat.slug, name: cat.name }] : [],
          variants: vs.map((v) => ({
            id: v.id,
            sku: v.input.sku,
            attributes: v.input.attributes ?? {},
            barcode: null,
            weightGrams: null,
            dimensions: null,
            cost: null,
            prices: (v.input.prices ?? []).map((x) => ({
              currency: x.currency,
              amount: x.amount,
              compareAt: x.compareAt ?? null,
            })),
          })),
          version: 1,
          createdAt: p.createdAt.toISOString(),
          updatedAt: p.createdAt.toISOString(),
        });
      }
    }
    for (const batch of chunks(staff, 200))
      await writeViews(
        tx,
        batch.map((p) => buildView(p, pathKeys)),
      );
    return products.length;
  });
  if (inserted) await refreshViewStatistics(db);
  return inserted;
}
