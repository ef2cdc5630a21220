// Staff routes of outbound webhooks (permission webhooks:manage): endpoints, secret rotation, the delivery log,
// replay, and the catalog of public event types. Shapes in /openapi.json, requirements in docs/requirements/webhooks.md.
import { Type } from 'typebox';
import { access } from '../../platform/http/auth.ts';
import { idCursor } from '../../platform/http/cursor.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import { WEBHOOK_ERRORS } from './contract.ts';
import type { EndpointsService } from './endpoints.service.ts';
import { EVENT_CATALOG } from './event-catalog.ts';
import {
  CreatedEndpointSchema,
  CreateEndpointBody,
  DeliveriesQuery,
  DeliveryDetailSchema,
  DeliveryListSchema,
  DeliveryParams,
  DeliverySchema,
  EndpointListSchema,
  EndpointParams,
  EndpointSchema,
  EventTypeListSchema,
  PageQuery,
  RotatedSecretSchema,
  UpdateEndpointBody,
} from './webhooks.schemas.ts';

const tags = ['webhooks'];
const config = { access: access.permission('webhooks:manage') };
const auth = { 401: problemResponse('Not authenticated'), 403: problemResponse('Missing permission') };
const badDeliveryId = problemResponse('The delivery id is not a webhook-id (msg_…)');
const notFound = { 404: problemResponse('webhooks.not_found') };
const invalid = {
  422: problemResponse('webhooks.invalid_url, webhooks.target_not_allowed or webhooks.unknown_event_type'),
};

/** A cursor the list did not issue (nextCursor is the last row's id). */
const badCursor = { 400: problemResponse('webhooks.invalid_cursor or request.validation_failed') };

export function registerWebhookRoutes(http: App, s: EndpointsService): void {
  http.get(
    '/v1/admin/webhooks/event-types',
    {
      config,
      schema: {
        tags,
        summary: 'The public event types endpoints may subscribe to, with the JSON Schema of each payload',
        response: { 200: EventTypeListSchema, ...auth },
      },
    },
    async () => EVENT_CATALOG.map((e) => ({ type: e.type, description: e.description, schema: e.schema })),
  );

  http.post(
    '/v1/admin/webhooks',
    {
      config,
      schema: {
        tags,
        summary: 'Subscribe an endpoint to event types (the signing secret is shown only in this response)',
        description:
          'The URL must be http(s) and resolve to public addresses only (unless WEBHOOKS_ALLOW_PRIVATE_TARGETS). ' +
          'Deliveries are signed per the Standard Webhooks specification with the returned secret.',
        body: CreateEndpointBody,
        response: { 201: CreatedEndpointSchema, ...auth, ...invalid },
      },
    },
    async (req, reply) => reply.code(201).send(await s.create(req.body)),
  );

  http.get(
    '/v1/admin/webhooks',
    {
      config,
      schema: {
        tags,
        summary: 'List webhook endpoints',
        querystring: PageQuery,
        response: { 200: EndpointListSchema, ...auth, ...badCursor },
      },
    },
    async (req) =>
      s.list({ limit: req.query.limit ?? 20, cursor: idCursor(req.query.cursor, 'whe', WEBHOOK_ERRORS.invalidCursor) }),
  );

  http.get(
    '/v1/admin/webhooks/:id',
    {
      config,
      schema: {
        tags,
        summary: 'A webhook endpoint',
        params: EndpointParams,
        response: { 200: EndpointSchema, ...auth, ...notFound },
      },
    },
    async (req) => s.get(req.params.id),
  );

  http.patch(
    '/v1/admin/webhooks/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change an endpoint: url, events, description, enabled (re-enabling resets the failure count)',
        params: EndpointParams,
        body: UpdateEndpointBody,
        response: { 200: EndpointSchema, ...auth, ...notFound, ...invalid },
      },
    },
    async (req) => s.update(req.params.id, req.body),
  );

  http.delete(
    '/v1/admin/webhooks/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete an endpoint (its pending deliveries are cancelled)',
        params: EndpointParams,
        response: { 204: Type.Null(), ...auth, ...notFound },
      },
    },
    async (req, reply) => {
      await s.remove(req.params.id);
      return reply.code(204).send(null);
    },
  );

  http.post(
    '/v1/admin/webhooks/:id/rotate-secret',
    {
      config,
      schema: {
        tags,
        summary: 'Replace the signing secret; the previous one keeps signing beside it for the overlap period',
        params: EndpointParams,
        response: { 200: RotatedSecretSchema, ...auth, ...notFound },
      },
    },
    async (req) => s.rotateSecret(req.params.id),
  );

  http.get(
    '/v1/admin/webhooks/:id/deliveries',
    {
      config,
      schema: {
        tags,
        summary: "An endpoint's deliveries, newest first",
        params: EndpointParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryListSchema, ...auth, ...notFound, ...badCursor },
      },
    },
    async (req) =>
      s.deliveries(req.params.id, {
        status: req.query.status,
        cursor: idCursor(req.query.cursor, 'msg', WEBHOOK_ERRORS.invalidCursor),
        limit: req.query.limit ?? 20,
      }),
  );

  http.get(
    '/v1/admin/webhook-deliveries/:deliveryId',
    {
      config,
      schema: {
        tags,
        summary: 'A delivery with every attempt (status code or error, latency)',
        params: DeliveryParams,
        response: {
          200: DeliveryDetailSchema,
          400: badDeliveryId,
          ...auth,
          404: problemResponse('webhooks.delivery_not_found'),
        },
      },
    },
    async (req) => s.delivery(req.params.deliveryId),
  );

  http.post(
    '/v1/admin/webhook-deliveries/:deliveryId/replay',
    {
      config,
      schema: {
        tags,
        summary: 'Send a delivery again now, with the same webhook-id',
        params: DeliveryParams,
        response: {
          202: DeliverySchema,
          400: badDeliveryId,
          ...auth,
          404: problemResponse('webhooks.delivery_not_found'),
          409: problemResponse('webhooks.endpoint_disabled or webhooks.delivery_in_flight'),
        },
      },
    },
    async (req, reply) => reply.code(202).send(await s.replay(req.params.deliveryId)),
  );
}
