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
