// Benchmark scenarios: each is one HTTP request shape replayed by autocannon against a listening server.
// `setup` may create data through the API first and returns the request to replay.

export interface BenchRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Scenario {
  name: string;
  description: string;
  setup(base: string): Promise<BenchRequest>;
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
];
