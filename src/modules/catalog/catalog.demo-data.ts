// A deterministic catalog generator (same seed → same products, SKUs, prices): the embedded demo
// catalog and the benchmark catalog (Medusa's published shape: 500 products, 6,000 variants, 24,000 prices).
import type { PriceInput, VariantInput } from './contract.ts';

export interface GeneratedCategory {
  key: string;
  parentKey: string | null;
  slug: string;
  name: string;
}

export interface GeneratedProduct {
  slug: string;
  name: string;
  description: string;
  brand: string;
  categoryKey: string;
  images: string[];
  createdAt: Date;
  variants: VariantInput[];
}

export interface GeneratorOptions {
  products: number;
  currencies: string[];
  /** 'demo': 1–3 colours × category sizes; 'bench': exactly 4 colours × 3 sizes per product. */
  shape: 'demo' | 'bench';
  seed?: number;
}

/** The embedded demo catalog: 200 products over 16 categories, colour/size variants, EUR and USD. */
export const DEMO_CATALOG: GeneratorOptions = { products: 200, currencies: ['EUR', 'USD'], shape: 'demo' };
/** Medusa's benchmark shape: 500 products × 12 variants × 4 currencies = 6,000 variants, 24,000 prices. */
export const BENCH_CATALOG: GeneratorOptions = {
  products: 500,
  currencies: ['EUR', 'USD', 'GBP', 'SEK'],
  shape: 'bench',
};

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TREE: [string, [string, string[], string[]][]][] = [
  [
    'Electronics',
    [
      ['Headphones', ['Wireless Headphones', 'Over-Ear Headphones', 'Earbuds'], []],
      ['Speakers', ['Bluetooth Speaker', 'Soundbar', 'Smart Speaker'], []],
      ['Cameras', ['Action Camera', 'Mirrorless Camera', 'Webcam'], []],
    ],
  ],
  [
    'Apparel',
    [
      ['T-Shirts', ['Cotton T-Shirt', 'Graphic Tee', 'Polo Shirt'], ['S', 'M', 'L', 'XL']],
      ['Jackets', ['Rain Jacket', 'Down Jacket', 'Denim Jacket'], ['S', 'M', 'L', 'XL']],
      ['Sneakers', ['Running Sneakers', 'Court Sneakers', 'Trail Shoes'], ['40', '41', '42', '43']],
    ],
  ],
  [
    'Home',
    [
      ['Kitchen', ['Electric Kettle', 'Chef Knife', 'Espresso Maker'], []],
      ['Lighting', ['Desk Lamp', 'Floor Lamp', 'LED Strip'], []],
      ['Furniture', ['Office Chair', 'Side Table', 'Bookshelf'], []],
    ],
  ],
  [
    'Sports',
    [
      ['Fitness', ['Yoga Mat', 'Kettlebell', 'Resistance Bands'], []],
      ['Cycling', ['Bike Helmet', 'Cycling Gloves', 'Bike Light'], ['S', 'M', 'L']],
      ['Outdoor', ['Hiking Backpack', 'Camping Tent', 'Water Bottle'], []],
    ],
  ],
];

const BRANDS = [
  'Aurora',
  'Nordlys',
  'Vento',
  'Kestrel',
  'Sony',
  'Apple',
  'Bosch',
  'Nimbus',
  'Orca',
  'Helix',
  'Juno',
  'Terra',
];
const ADJECTIVES = ['Classic', 'Pro', 'Lite', 'Max', 'Studio', 'Urban', 'Flex', 'Prime', 'Eco', 'Ultra'];
const COLORS = ['black', 'white', 'blue', 'red', 'green', 'grey'];
const BENCH_SIZES = ['S', 'M', 'L'];

const slugify = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Rate of each currency against EUR, to derive plausible prices (integer minor units). */
const RATES: Record<string, number> = { EUR: 1, USD: 1.08, GBP: 0.86, SEK: 11.4, DKK: 7.46 };

export function generateCatalog(options: GeneratorOptions): {
  categories: GeneratedCategory[];
  products: GeneratedProduct[];
} {
  const rnd = prng(options.seed ?? 42);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const categories: GeneratedCategory[] = [];
  const leaves: { key: string; nouns: string[]; sizes: string[]; root: string }[] = [];
  for (const [root, children] of TREE) {
    categories.push({ key: slugify(root), parentKey: null, slug: slugify(root), name: root });
    for (const [child, nouns, sizes] of children) {
      categories.push({ key: slugify(child), parentKey: slugify(root), slug: slugify(child), name: child });
      leaves.push({ key: slugify(child), nouns, sizes, root });
    }
  }
  const base = Date.UTC(2026, 0, 1);
  const products: GeneratedProduct[] = [];
  for (let i = 0; i < options.products; i++) {
    const leaf = leaves[i % leaves.length] as (typeof leaves)[number];
    const brand = pick(BRANDS);
    const noun = pick(leaf.nouns);
    const name = `${brand} ${pick(ADJECTIVES)} ${noun}`;
    const slug = `${slugify(name)}-${String(i + 1).padStart(4, '0')}`;
    const colors =
      options.shape === 'bench'
        ? COLORS.slice(0, 4)
        : COLORS.slice(0, 1 + Math.floor(rnd() * 3)).map((_, k) => COLORS[(i + k) % COLORS.length] as string);
    const sizes = options.shape === 'bench' ? BENCH_SIZES : leaf.sizes.length ? leaf.sizes : [undefined];
    const basePrice = (5 + Math.floor(rnd() * 60) * 5) * 100 - 1; // 4.99 … 299.99 EUR
    const variants: VariantInput[] = [];
    for (const color of colors) {
      for (const size of sizes) {
        const amountEur = basePrice + (size === 'XL' ? 200 : 0);
        const prices: PriceInput[] = options.currencies.map((currency) => ({
          currency,
          amount: Math.round((amountEur * (RATES[currency] ?? 1)) / 100) * 100 - 1,
          compareAt: i % 7 === 0 ? Math.round((amountEur * 1.2 * (RATES[currency] ?? 1)) / 100) * 100 - 1 : null,
        }));
        variants.push({
          sku: `${slug.toUpperCase()}-${color.toUpperCase()}${size ? `-${size}` : ''}`,
          attributes: { color, ...(size ? { size } : {}) },
          barcode: String(4_000_000_000_000 + i * 100 + variants.length),
          weightGrams: 100 + Math.floor(rnd() * 2000),
          cost: Math.round(amountEur * 0.45),
          prices,
        });
      }
    }
    products.push({
      slug,
      name,
      description: `The ${name}: a ${noun.toLowerCase()} from ${brand} for everyday ${leaf.root.toLowerCase()} needs.`,
      brand,
      categoryKey: leaf.key,
      images: [`https://images.example.com/${slug}.jpg`],
      createdAt: new Date(base + i * 60_000),
      variants,
    });
  }
  return { categories, products };
}
