// Search routes (public).
import { access } from '../../platform/http/auth.ts';
import { sendJsonWithEtag, type TaggedJson } from '../../platform/http/etag.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import type { SearchQuery } from './contract.ts';
import { SearchQuerySchema, SearchResultSchema, SuggestQuerySchema, SuggestResultSchema } from './search.schemas.ts';

const tags = ['search'];

/** Search answers already serialised and tagged (cached by the module until the index changes). */
export interface CachedSearchQueries {
  search(q: SearchQuery): Promise<TaggedJson>;
  suggest(q: string, limit: number | undefined): Promise<TaggedJson>;
}

export function registerSearchRoutes(http: App, queries: CachedSearchQueries): void {
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
    async (req, reply) => sendJsonWithEtag(req, reply, await queries.search(req.query), 'public, no-cache'),
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
    async (req, reply) =>
      sendJsonWithEtag(req, reply, await queries.suggest(req.query.q, req.query.limit), 'public, no-cache'),
  );
}
