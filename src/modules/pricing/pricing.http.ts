// Staff pricing API: promotions and coupons, campaigns, tax rates, shipping methods (permission pricing:write).
import { Type } from 'typebox';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import type { PricingAdmin } from './admin.service.ts';
import {
  CampaignBody,
  CampaignSchema,
  PromotionBody,
  PromotionListSchema,
  PromotionSchema,
  ShippingMethodBody,
  ShippingMethodSchema,
  TaxRateBody,
  TaxRateSchema,
} from './pricing.schemas.ts';

const tags = ['pricing'];
const write = { access: access.permission('pricing:write') };
const auth = { 401: problemResponse('Not authenticated'), 403: problemResponse('Missing permission') };
const invalid = {
  400: problemResponse('Invalid request'),
  422: problemResponse('Invalid pricing rule (pricing.invalid)'),
};

export function registerPricingRoutes(http: App, admin: PricingAdmin): void {
  http.post(
    '/v1/admin/campaigns',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a campaign (a redemption limit shared by its promotions)',
        body: CampaignBody,
        response: { 201: CampaignSchema, ...invalid, ...auth },
      },
    },
    async (req, reply) => reply.code(201).send(await admin.createCampaign(req.body)),
  );
  http.post(
    '/v1/admin/promotions',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a promotion (automatic, or a coupon with its codes)',
        body: PromotionBody,
        response: {
          201: PromotionSchema,
          ...invalid,
          404: problemResponse('Unknown campaign'),
          409: problemResponse('Code already in use (pricing.duplicate)'),
          ...auth,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await admin.createPromotion(req.body)),
  );
  http.get(
    '/v1/admin/promotions',
    { config: write, schema: { tags, summary: 'List promotions', response: { 200: PromotionListSchema, ...auth } } },
    async () => ({ items: await admin.listPromotions() }),
  );
  http.put(
    '/v1/admin/tax-rates',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create or replace the tax rate of a region and tax category',
        body: TaxRateBody,
        response: { 200: TaxRateSchema, ...invalid, ...auth },
      },
    },
    async (req) => admin.upsertTaxRate(req.body),
  );
  http.get(
    '/v1/admin/tax-rates',
    {
      config: write,
      schema: {
        tags,
        summary: 'List tax rates',
        response: { 200: Type.Object({ items: Type.Array(TaxRateSchema) }), ...auth },
      },
    },
    async () => ({ items: await admin.listTaxRates() }),
  );
  http.post(
    '/v1/admin/shipping-methods',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a shipping method for a zone',
        body: ShippingMethodBody,
        response: { 201: ShippingMethodSchema, ...invalid, ...auth },
      },
    },
    async (req, reply) => reply.code(201).send(await admin.createShippingMethod(req.body)),
  );
  http.get(
    '/v1/admin/shipping-methods',
    {
      config: write,
      schema: {
        tags,
        summary: 'List shipping methods',
        response: { 200: Type.Object({ items: Type.Array(ShippingMethodSchema) }), ...auth },
      },
    },
    async () => ({ items: await admin.listShippingMethods() }),
  );
}
