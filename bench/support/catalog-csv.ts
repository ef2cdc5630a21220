// A generated catalog for the growth bench, streamed as bulk-import CSV (never built as one string): `products`
// products with 2 or 3 variants each (2.5 on average), prices in EUR and USD, 1–2 of 12 categories, 60 brands and
// three attributes (color, size, material), so facets and filters have realistic spread. Names and descriptions are
// drawn from a fixed vocabulary that the cold search and suggest requests reuse.
import { Readable } from 'node:stream';

export const CATEGORIES = [
  'audio',
  'kitchen',
  'outdoor',
  'furniture',
  'lighting',
  'apparel',
  'footwear',
  'toys',
  'garden',
  'office',
  'sports',
  'travel',
];
export const ADJECTIVES = [
  'classic',
  'compact',
  'rugged',
  'vintage',
  'modern',
  'wireless',
  'portable',
  'premium',
  'organic',
  'slim',
  'foldable',
  'heated',
  'smart',
  'quiet',
  'bright',
  'padded',
  'waterproof',
  'handmade',
  'minimal',
  'deluxe',
];
export const NOUNS = [
  'headphones',
  'speaker',
  'kettle',
  'lantern',
  'backpack',
  'chair',
  'lamp',
  'jacket',
  'sneakers',
  'blender',
  'tent',
  'desk',
  'blanket',
  'bottle',
  'watch',
  'camera',
  'skillet',
  'hammock',
  'umbrella',
  'notebook',
  'pillow',
  'scooter',
  'helmet',
  'grinder',
  'shelf',
  'mug',
  'rug',
  'sofa',
  'drone',
  'toaster',
];
export const MATERIALS = ['cotton', 'steel', 'oak', 'bamboo', 'leather', 'wool', 'linen', 'ceramic'];
const COLORS = ['black', 'white', 'red', 'blue', 'green', 'grey', 'yellow', 'navy'];
const SIZES = ['S', 'M', 'L'];
const BRAND_ROOTS = [
  'Nordlys',
  'Acme',
  'Polaris',
  'Kestrel',
  'Lumen',
  'Basalt',
  'Fjord',
  'Orchid',
  'Vento',
  'Quill',
  'Tundra',
  'Harbor',
  'Zephyr',
  'Cobalt',
  'Meridian',
  'Saffron',
  'Granite',
  'Willow',
  'Ember',
  'Solace',
];
const BRAND_SUFFIXES = ['Works', 'Labs', 'Co'];

export const HEADER =
  'slug,name,brand,description,status,categories,sku,barcode,weightGrams,cost,attr:color,attr:size,attr:material,price:EUR,price:USD';

const at = <T>(list: T[], i: number): T => list[i % list.length] as T;

/** Variants of product `p`: 2 or 3. */
export const variantsOf = (p: number) => 2 + (p % 2);
/** Rows (variants) of a catalog of `products` products. */
export const rowsOf = (products: number) => 2 * products + Math.floor(products / 2);

export function productSlug(p: number): string {
  return `${at(ADJECTIVES, p)}-${at(NOUNS, p * 7 + (p >> 5))}-${p}`;
}

function productRows(p: number, firstRow: number): string[] {
  const adj = at(ADJECTIVES, p);
  const noun = at(NOUNS, p * 7 + (p >> 5));
  const material = at(MATERIALS, p * 3 + (p >> 3));
  const brand = `${at(BRAND_ROOTS, p)} ${at(BRAND_SUFFIXES, Math.floor(p / BRAND_ROOTS.length))}`;
  const cats = p % 3 === 0 ? `${at(CATEGORIES, p)}|${at(CATEGORIES, p + 5)}` : at(CATEGORIES, p);
  const name = `${adj[0]?.toUpperCase()}${adj.slice(1)} ${material} ${noun} ${p}`;
  const description = `A ${adj} ${noun} made of ${material} by ${brand}; ${at(ADJECTIVES, p + 3)} and ${at(ADJECTIVES, p + 11)}`;
  const rows: string[] = [];
  for (let v = 0; v < variantsOf(p); v++) {
    const eur = 1000 + ((p * 7919 + v * 131) % 9000) + v * 200;
    const usd = Math.round(eur * 1.1);
    rows.push(
      `${productSlug(p)},${name},${brand},${description},published,${cats},G-${p}-${v},${2_000_000_000_000 + firstRow + v},` +
        `${100 + (p % 900)},${eur >> 1},${at(COLORS, p + v)},${at(SIZES, v)},${material},${eur},${usd}`,
    );
  }
  return rows;
}

/** The CSV as ~64 KB chunks, generated as the consumer reads; `onRows(n)` counts the rows handed out. */
export function catalogCsv(products: number, onRows: (n: number) => void = () => {}): Readable {
  let p = -1;
  let row = 0;
  return new Readable({
    read() {
      let out = '';
      if (p < 0) {
        out = `${HEADER}\n`;
        p = 0;
      }
      let n = 0;
      while (p < products && out.length < 64 * 1024) {
        const rows = productRows(p++, row);
        row += rows.length;
        n += rows.length;
        out += `${rows.join('\n')}\n`;
      }
      if (n) onRows(n);
      this.push(out ? Buffer.from(out) : null);
      if (out && p >= products) this.push(null);
    },
  });
}

/** Storefront read paths that each miss the page cache (random price floors, pages, words, slugs). */
export function coldPaths(rand: () => number, products: number) {
  const int = (n: number) => Math.floor(rand() * n);
  const price = () => (int(9000) / 100).toFixed(2);
  const word = () => (rand() < 0.5 ? at(NOUNS, int(NOUNS.length)) : at(ADJECTIVES, int(ADJECTIVES.length)));
  return {
    list: () =>
      `/v1/products?limit=20&sort=price-asc&currency=${rand() < 0.5 ? 'EUR' : 'USD'}&minPrice=${price()}&page=${1 + int(5)}`,
    detail: () => `/v1/products/${productSlug(int(products))}?currency=${rand() < 0.5 ? 'EUR' : 'USD'}`,
    search: () => `/v1/search?q=${word()}&minPrice=${price()}&limit=20`,
    suggest: () => {
      const w = at(NOUNS, int(NOUNS.length));
      return `/v1/search/suggest?q=${at(ADJECTIVES, int(ADJECTIVES.length))}%20${w.slice(0, 2 + int(w.length - 1))}&limit=${1 + int(20)}`;
    },
  };
}
