// A generated bulk-import CSV of any size, produced on the fly as a stream (never built as one string):
// `variants` rows, `perProduct` variants per product, each with two attributes and prices in EUR and USD.
import { Readable } from 'node:stream';

export const IMPORT_CATEGORIES = ['apparel', 'shoes', 'home', 'garden', 'toys'];

export const IMPORT_HEADER =
  'slug,name,brand,description,status,categories,sku,barcode,weightGrams,cost,attr:color,attr:size,price:EUR,price:USD';

const COLORS = ['black', 'white', 'red', 'blue', 'green'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];

/** Row `i` (0-based) of the generated file; slugs and SKUs start with `prefix`. */
export function importRow(i: number, perProduct: number, prefix = 'gen'): string {
  const p = Math.floor(i / perProduct);
  const v = i % perProduct;
  const cat = IMPORT_CATEGORIES[p % IMPORT_CATEGORIES.length];
  const eur = 1000 + ((p * 37 + v) % 9000);
  return (
    `${prefix}-product-${p},Generated Product ${p},Brand ${p % 40},"Generated product ${p}, variant family of ${perProduct}",` +
    `published,${cat},${prefix.toUpperCase()}-${p}-${v},${2000000000000 + i},${100 + (i % 900)},${eur >> 1},` +
    `${COLORS[v % COLORS.length]},${SIZES[Math.floor(v / COLORS.length) % SIZES.length]},${eur},${eur + 150}`
  );
}

/** The CSV as a byte stream of ~64 KB chunks, generated lazily as the consumer reads. */
export function importCsvStream(variants: number, options: { perProduct?: number; prefix?: string } = {}) {
  const perProduct = options.perProduct ?? 10;
  const prefix = options.prefix ?? 'gen';
  let i = -1;
  return new Readable({
    read() {
      let out = '';
      if (i < 0) {
        out = `${IMPORT_HEADER}\n`;
        i = 0;
      }
      while (i < variants && out.length < 64 * 1024) out += `${importRow(i++, perProduct, prefix)}\n`;
      this.push(out ? Buffer.from(out) : null);
      if (out && i >= variants) this.push(null);
    },
  });
}
