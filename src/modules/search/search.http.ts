// Search routes (public).
import { access } from '../../platform/http/auth.ts';
import { sendWithEtag } from '../../platform/http/etag.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import type { SearchQueries } from './search.query.ts';
import { SearchQuerySchema, SearchResultSchema, SuggestQuerySchema, SuggestResultSchema } from './search.schemas.ts';

const tags = ['search'];

export function registerSearchRoutes(http: App, queries: SearchQueries): void {
  http.get(
    '/v1/search',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'Full-text product search with typo tolerance, prefix matching and exact facet counts',
        querystring: SearchQuerySchema,
        response: { 200: SearchResultSchema, 400: problemResponse('Bad facet, price or cursor') },
      },
    },
    async (req, reply) => sendWithEtag(req, reply, await queries.search(req.query), 'public, no-cache'),
  );

  http.get(
    '/v1/search/suggest',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'Autocomplete: products whose text matches the typed prefix',
        querystring: SuggestQuerySchema,
        response: { 200: SuggestResultSchema },
      },
    },
    async (req) => queries.suggest(req.query.q, req.query.limit),
  );
}
