// OpenAPI 3.1 generated from the route schemas, served at /openapi.json, with a docs page at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifySchema } from 'fastify';
import type { App } from './app-type.ts';
import { SECURITY_SCHEMES, transformDocument, transformRoute } from './openapi-contract.ts';

export const API_TAGS = [
  { name: 'ops', description: 'Health, readiness, metrics and the API description' },
  { name: 'identity', description: 'Accounts, sessions, addresses, staff and API keys' },
  { name: 'catalog', description: 'Products, variants, prices and categories' },
  { name: 'search', description: 'Full-text search, facets and suggestions' },
  { name: 'inventory', description: 'Warehouses, stock levels and adjustments' },
  { name: 'cart', description: 'Guest and customer carts' },
  { name: 'pricing', description: 'Promotions, tax and shipping' },
  { name: 'orders', description: 'Checkout and orders' },
  { name: 'payments', description: 'Payment webhooks, refunds and reconciliation' },
  { name: 'fulfillment', description: 'Shipments and tracking' },
  { name: 'events', description: 'Outbox, dead letters and jobs (staff)' },
  { name: 'privacy', description: 'Erasure, export and key rotation of personal data (staff)' },
  {
    name: 'webhooks',
    description: "Integrators' webhook subscriptions, signed deliveries and the event catalog (staff)",
  },
  { name: 'notifications', description: 'Email templates, the delivery log and the local mail outbox (staff)' },
  { name: 'graphql', description: 'The GraphQL storefront API over the same services' },
];

/** Relative, so the document is right on every host; `x-internal: false` declares it the public API. */
const THIS_SERVER = {
  url: '/',
  description: 'This server, whichever environment it runs in (local, staging or production)',
  'x-internal': false,
};

export async function registerOpenApi(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Emporium API',
        version: '1.0.0',
        description:
          'Emporium commerce backend. Errors are RFC 9457 problem+json with a stable `code`. ' +
          'Money is `{amount, currency}` in integer minor units.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [THIS_SERVER],
      tags: API_TAGS,
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: ({ schema, url }) => transformRoute({ schema, url }) as { schema: FastifySchema; url: string },
    transformObject: (doc) => transformDocument('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI applies inline styles; scripts stay same-origin only.
    staticCSP:
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    uiConfig: { docExpansion: 'list', deepLinking: true, validatorUrl: null },
    theme: { title: 'Emporium API' },
  });
}
