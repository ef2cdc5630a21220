// Staff pricing API: promotions and coupons, campaigns, tax rates, shipping methods (permission pricing:write).
import { Type } from 'typebox';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { List } from '../../platform/http/schema-helpers.ts';
import type { App } from '../../platform/http/server.ts';
import type { PricingAdmin } from './admin.service.ts';
import {
  CampaignBody,
  CampaignListSchema,
  CampaignSchema,
  PromotionBody,
  PromotionIdParams,
  PromotionListQuery,
  PromotionListSchema,
  PromotionPatchBody,
  PromotionSchema,
  ShippingMethodBody,
  ShippingMethodParams,
  ShippingMethodPatchBody,
  ShippingMethodSchema,
  TaxRateBody,
  TaxRateParams,
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
  http.get(
    '/v1/admin/campaigns',
    {
      config: write,
      schema: {
        tags,
        summary: 'List campaigns, newest first, with their usage (redemptions against the shared limit)',
        response: { 200: CampaignListSchema, ...auth },
      },
    },
    async () => ({ items: await admin.listCampaigns() }),
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
    {
      config: write,
      schema: {
        tags,
        summary: 'List promotions (deleted ones only with includeDeleted=true)',
        querystring: PromotionListQuery,
        response: { 200: PromotionListSchema, 400: problemResponse('Invalid request'), ...auth },
      },
    },
    async (req) => ({ items: await admin.listPromotions({ includeDeleted: req.query.includeDeleted ?? false }) }),
  );
  http.get(
    '/v1/admin/promotions/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Get a promotion (also a deleted one, with deletedAt)',
        params: PromotionIdParams,
        response: { 200: PromotionSchema, 404: problemResponse('Unknown promotion (pricing.not_found)'), ...auth },
      },
    },
    async (req) => admin.getPromotion(req.params.id),
  );
  http.patch(
    '/v1/admin/promotions/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a promotion: window, limits, rule, priority; active=false pauses it',
        description:
          'Partial update; the merged rule is validated as on create. Lowering usageLimit below the redemptions ' +
          'already counted (reserved by checkouts in progress or committed by orders) is refused with 409 ' +
          '`pricing.usage_limit_below_redemptions` and changes nothing. A checkout that reserves a promotion paused ' +
          'or deleted after its cart was priced is refused before payment (409 `promotions.not_active`).',
        params: PromotionIdParams,
        body: PromotionPatchBody,
        response: {
          200: PromotionSchema,
          ...invalid,
          404: problemResponse('Unknown promotion (pricing.not_found)'),
          409: problemResponse(
            'Deleted promotion (pricing.promotion_deleted) or usageLimit below redemptions (pricing.usage_limit_below_redemptions)',
          ),
          ...auth,
        },
      },
    },
    async (req) => admin.updatePromotion(req.params.id, req.body),
  );
  http.delete(
    '/v1/admin/promotions/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete (archive) a promotion: it stops applying, its redemption history stays',
        description:
          'Idempotent. The promotion no longer applies to carts (its codes answer `unknown_code`) and cannot be ' +
          'reserved by checkouts; orders already placed keep their redemptions, and GET by id still shows it.',
        params: PromotionIdParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          404: problemResponse('Unknown promotion (pricing.not_found)'),
          ...auth,
        },
      },
    },
    async (req, reply) => {
      await admin.deletePromotion(req.params.id);
      return reply.code(204).send(null);
    },
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
        response: { 200: Type.Object({ items: List(TaxRateSchema) }), ...auth },
      },
    },
    async () => ({ items: await admin.listTaxRates() }),
  );
  http.delete(
    '/v1/admin/tax-rates/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a tax rate',
        description:
          'Orders already placed keep the tax they were charged (they store amounts, not rates). Carts of that ' +
          "region and tax category are taxed at the region's standard rate from then on (0 when there is none). " +
          'Setting the rate again (`PUT`) restores it.',
        params: TaxRateParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          404: problemResponse('Unknown tax rate (pricing.not_found)'),
          ...auth,
        },
      },
    },
    async (req, reply) => {
      await admin.deleteTaxRate(req.params.id);
      return reply.code(204).send(null);
    },
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
        response: { 200: Type.Object({ items: List(ShippingMethodSchema) }), ...auth },
      },
    },
    async () => ({ items: await admin.listShippingMethods() }),
  );
  http.patch(
    '/v1/admin/shipping-methods/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a shipping method (partial); carts that chose it are quoted anew on their next read',
        params: ShippingMethodParams,
        body: ShippingMethodPatchBody,
        response: {
          200: ShippingMethodSchema,
          ...invalid,
          404: problemResponse('Unknown or deleted shipping method (pricing.not_found)'),
          ...auth,
        },
      },
    },
    async (req) => admin.updateShippingMethod(req.params.id, req.body),
  );
  http.delete(
    '/v1/admin/shipping-methods/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete (retire) a shipping method: no cart is offered it any more',
        description:
          'Idempotent. A cart that had chosen it shows no shipping method until its holder picks another; ' +
          'checkout refuses such a cart with 422 `orders.cart_incomplete`.',
        params: ShippingMethodParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          404: problemResponse('Unknown shipping method (pricing.not_found)'),
          ...auth,
        },
      },
    },
    async (req, reply) => {
      await admin.deleteShippingMethod(req.params.id);
      return reply.code(204).send(null);
    },
  );
}
