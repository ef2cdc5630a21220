// Benchmark scenarios: each is one HTTP request shape replayed by autocannon against a listening server.
// `setup` may create data through the API first and returns the request to replay.

import { CART_SCENARIOS } from './cart-scenarios.ts';

export interface BenchRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** When set, autocannon connection k cycles through these requests instead (e.g. its own cart). */
  perConnection?: (connection: number) => Omit<BenchRequest, 'perConnection'>[];
}

export interface ScenarioOptions {
  connections: number;
}

export interface Scenario {
  name: string;
  description: string;
  setup(base: string, options: ScenarioOptions): Promise<BenchRequest>;
}

const COLD_PER_CONNECTION = 1000;
const COLD_KEYS = 160_000;
let coldClients = 0;

/**
 * Distinct list keys: 10,000 price floors (0.01–100.00; about a third of the bench catalog's products are cheaper, so
 * pages 1–8 stay full) × pages 1–8 × EUR and USD. Each connection of each run (warm-up included) gets the next 1,000
 * keys and cycles through them, so no key repeats within 5 runs of 32 connections, or within a run of fewer than
 * 32,000 requests.
 */
function coldList(): BenchRequest {
  return {
    method: 'GET',
    path: '/v1/products?limit=20&sort=price-asc',
    perConnection: () => {
      const first = (coldClients++ * COLD_PER_CONNECTION) % COLD_KEYS;
      return Array.from({ length: COLD_PER_CONNECTION }, (_, i) => {
        const j = first + i;
        const cents = 1 + (j % 10_000);
        const page = 1 + (Math.floor(j / 10_000) % 8);
        const currency = j >= COLD_KEYS / 2 ? 'USD' : 'EUR';
        return {
          method: 'GET' as const,
          path: `/v1/products?limit=20&sort=price-asc&currency=${currency}&minPrice=${(cents / 100).toFixed(2)}&page=${page}`,
        };
      });
    },
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'healthz',
    description: 'GET /healthz: the HTTP platform alone (request id, security headers, metrics hook)',
    setup: async () => ({ method: 'GET', path: '/healthz' }),
  },
  {
    name: 'readyz',
    description: 'GET /readyz: a database round trip plus the migrations check',
    setup: async () => ({ method: 'GET', path: '/readyz' }),
  },
  // Catalog and search: the embedded server seeds the demo catalog on first start; on DATABASE_URL run
  // `npm run seed:bench` first (Medusa's shape: 500 products, 6,000 variants, 24,000 prices).
  {
    name: 'list-20',
    description: 'GET /v1/products?limit=20&sort=price-asc: a 20-product page with prices and availability',
    setup: async () => ({ method: 'GET', path: '/v1/products?limit=20&sort=price-asc&currency=EUR' }),
  },
  {
    name: 'list-20-cold',
    description:
      'GET /v1/products?limit=20&sort=price-asc&minPrice=…: every request misses the page cache (a price floor, page and currency no other request of the run used)',
    setup: async () => coldList(),
  },
  {
    name: 'detail',
    description: 'GET /v1/products/{slug}: one product with variants, prices and availability',
    setup: async (base) => {
      const page = (await (await fetch(`${base}/v1/products?limit=1`)).json()) as { items: { slug: string }[] };
      const slug = page.items[0]?.slug;
      if (!slug) throw new Error('no products: seed the catalog first (npm run seed:bench)');
      return { method: 'GET', path: `/v1/products/${slug}` };
    },
  },
  {
    name: 'search-facets',
    description: 'GET /v1/search?q=headphones&facet=color:black,white&minPrice=20: full-text search with facet counts',
    setup: async () => ({
      method: 'GET',
      path: '/v1/search?q=headphones&facet=color:black,white&minPrice=20&limit=20',
    }),
  },
  {
    name: 'suggest',
    description: 'GET /v1/search/suggest?q=headph: autocomplete on a prefix',
    setup: async () => ({ method: 'GET', path: '/v1/search/suggest?q=headph' }),
  },
  ...CART_SCENARIOS,
];
