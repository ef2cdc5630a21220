// The search module's front door.
export type { SearchApi, SearchHit, SearchQuery, SearchResult } from './contract.ts';
export { SEARCH_ERRORS } from './contract.ts';
export { createSearchModule, type SearchModule, type SearchModuleDeps } from './module.ts';
