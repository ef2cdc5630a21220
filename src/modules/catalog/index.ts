// The catalog's front door: the only file other modules and the composition root may import.

export { BENCH_CATALOG, DEMO_CATALOG } from './catalog.demo-data.ts';
export type {
  AvailabilityPort,
  CartVariant,
  CatalogApi,
  Category,
  Product,
  ProductInput,
  SearchSource,
  StaffProduct,
} from './contract.ts';
export { CATALOG_ERRORS } from './contract.ts';
export { CATALOG_EVENTS, CATALOG_PUBLIC_EVENTS } from './events.ts';
export { type CatalogModule, type CatalogModuleDeps, createCatalogModule } from './module.ts';
