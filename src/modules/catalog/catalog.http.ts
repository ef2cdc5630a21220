// Catalog routes: storefront reads (public, strong ETag + 304) and staff writes (If-Match → 412).
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { sendJsonWithEtag } from '../../platform/http/etag.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { List } from '../../platform/http/schema-helpers.ts';
import type { App } from '../../platform/http/server.ts';
import type { CatalogReads } from './catalog.reads.ts';
import {
  CategoryInputSchema,
  CategorySchema,
  CurrencyQuery,
  IdParams,
  IfMatchHeaders,
  ListQuerySchema,
  ProductInputSchema,
  ProductPageSchema,
  ProductPatchSchema,
  ProductSchema,
  StaffProductSchema,
  VariantInputSchema,
  VariantParams,
  VariantPatchSchema,
} from './catalog.schemas.ts';
import type { CatalogService } from './catalog.service.ts';
import { CATALOG_ERRORS, type StaffProduct } from './contract.ts';

const tags = ['catalog'];
const STOREFRONT_CACHE_CONTROL = 'public, no-cache';
const write = { access: access.permission('catalog:write') };

/** `If-Match: "7"` → 7; `*` or absent → undefined (unconditional); anything else can never match. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  if (!m) {
    throw errors.preconditionFailed(CATALOG_ERRORS.staleWrite, 'If-Match does not name a version of this product.');
  }
  return Number(m[1]);
}

function sendStaff(reply: FastifyReply, product: StaffProduct, status = 200) {
  return reply.code(status).header('etag', `"${product.version}"`).header('cache-control', 'no-store').send(product);
}

const staffProblems = {
  404: problemResponse('No such product or variant'),
  409: problemResponse('Duplicate SKU or slug (`field` names it)'),
  412: problemResponse('If-Match is stale: catalog.stale_write'),
  422: problemResponse('Unknown category'),
};

export function registerCatalogRoutes(http: App, service: CatalogService, reads: CatalogReads): void {
  http.get(
    '/v1/products',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'List published products (filters, sort, page or cursor)',
        querystring: ListQuerySchema,
        response: { 200: ProductPageSchema, 304: Type.Null({ description: 'Not modified' }) },
      },
    },
    async (req, reply) =>
      sendJsonWithEtag(req, reply, await reads.listProductsJson(req.query), STOREFRONT_CACHE_CONTROL),
  );

  http.get(
    '/v1/products/:id',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'A published product by id or slug, with variants, prices and availability',
        params: IdParams,
        querystring: CurrencyQuery,
        response: {
          200: ProductSchema,
          304: Type.Null({ description: 'Not modified' }),
          404: problemResponse('No published product with this id or slug'),
        },
      },
    },
    async (req, reply) =>
      sendJsonWithEtag(req, reply, await reads.getProductJson(req.params.id, req.query), STOREFRONT_CACHE_CONTROL),
  );

  http.get(
    '/v1/admin/products/:id',
    {
      config: { access: access.permission('catalog:read') },
      schema: {
        tags,
        summary: 'Staff view of a product (any status, with cost and metadata); ETag is its version',
        params: IdParams,
        response: { 200: StaffProductSchema, 404: problemResponse('No such product') },
      },
    },
    async (req, reply) => sendStaff(reply, await service.getStaffProduct(req.params.id)),
  );

  http.post(
    '/v1/products',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a product with its variants and prices',
        body: ProductInputSchema,
        response: { 201: StaffProductSchema, 409: staffProblems[409], 422: staffProblems[422] },
      },
    },
    async (req, reply) => sendStaff(reply, await service.createProduct(req.ctx, req.body), 201),
  );

  http.patch(
    '/v1/products/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change some fields of a product',
        params: IdParams,
        headers: IfMatchHeaders,
        body: ProductPatchSchema,
        response: { 200: StaffProductSchema, ...staffProblems },
      },
    },
    async (req, reply) => {
      const version = parseIfMatch(req.headers['if-match']);
      return sendStaff(reply, await service.updateProduct(req.ctx, req.params.id, req.body, version));
    },
  );

  http.delete(
    '/v1/products/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Archive a product (it leaves the storefront; orders keep referring to it)',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 200: StaffProductSchema, 404: staffProblems[404], 412: staffProblems[412] },
      },
    },
    async (req, reply) => {
      const version = parseIfMatch(req.headers['if-match']);
      return sendStaff(reply, await service.archiveProduct(req.ctx, req.params.id, version));
    },
  );

  http.post(
    '/v1/products/:id/variants',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a variant (with prices) to a product',
        params: IdParams,
        headers: IfMatchHeaders,
        body: VariantInputSchema,
        response: { 201: StaffProductSchema, ...staffProblems },
      },
    },
    async (req, reply) => {
      const version = parseIfMatch(req.headers['if-match']);
      return sendStaff(reply, await service.addVariant(req.ctx, req.params.id, req.body, version), 201);
    },
  );

  http.patch(
    '/v1/products/:id/variants/:variantId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a variant; `prices` replaces all its prices',
        params: VariantParams,
        headers: IfMatchHeaders,
        body: VariantPatchSchema,
        response: { 200: StaffProductSchema, ...staffProblems },
      },
    },
    async (req, reply) => {
      const version = parseIfMatch(req.headers['if-match']);
      const { id, variantId } = req.params;
      return sendStaff(reply, await service.updateVariant(req.ctx, id, variantId, req.body, version));
    },
  );

  http.delete(
    '/v1/products/:id/variants/:variantId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a variant',
        params: VariantParams,
        headers: IfMatchHeaders,
        response: { 200: StaffProductSchema, 404: staffProblems[404], 412: staffProblems[412] },
      },
    },
    async (req, reply) => {
      const version = parseIfMatch(req.headers['if-match']);
      const { id, variantId } = req.params;
      return sendStaff(reply, await service.deleteVariant(req.ctx, id, variantId, version));
    },
  );

  http.get(
    '/v1/categories',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'The category tree as a flat list (parentId links)',
        response: { 200: Type.Object({ items: List(CategorySchema) }) },
      },
    },
    async () => ({ items: await service.listCategories() }),
  );

  http.post(
    '/v1/categories',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a category (optionally under a parent)',
        body: CategoryInputSchema,
        response: { 201: CategorySchema, 409: staffProblems[409], 422: staffProblems[422] },
      },
    },
    async (req, reply) => reply.code(201).send(await service.createCategory(req.ctx, req.body)),
  );
}
