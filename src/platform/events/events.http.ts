// Staff endpoints for dead letters: list them, and put one back for delivery.
import { Type } from 'typebox';
import type { Db } from '../db/db.ts';
import { errors } from '../errors.ts';
import { access } from '../http/auth.ts';
import { idCursor } from '../http/cursor.ts';
import { problemResponse } from '../http/problem.ts';
import { DateTime, Id, Integer, List, Text } from '../http/schema-helpers.ts';
import type { App } from '../http/server.ts';
import { listDeadLetters, retryDeadLetter } from './relay-store.ts';

const DeadLetter = Type.Object({
  id: Id({ examples: ['dlq_01jd3m5w4q0000000000000000'] }),
  eventId: Id(),
  eventType: Text(200, { examples: ['inventory.stock.changed'] }),
  aggregateId: Id(),
  subscriber: Text(200, { examples: ['search.reindex_product'] }),
  attempts: Integer(),
  lastError: Text(),
  createdAt: DateTime(),
  event: Type.Record(Text(), Type.Unknown(), { description: 'The event envelope as delivered' }),
});

export function registerEventAdminRoutes(http: App, deps: { db: Db; wake: () => void }): void {
  http.get(
    '/v1/admin/events/dead-letters',
    {
      config: { access: access.permission('events:manage') },
      schema: {
        tags: ['events'],
        summary: 'List events whose delivery to a subscriber failed too many times',
        querystring: Type.Object({
          limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: {
          200: Type.Object({ items: List(DeadLetter), nextCursor: Type.Union([Text(), Type.Null()]) }),
          400: problemResponse('events.invalid_cursor or request.validation_failed'),
          401: problemResponse('Authentication required'),
          403: problemResponse('Needs the permission events:manage'),
        },
      },
    },
    async (request) => {
      const { limit = 20 } = request.query;
      const cursor = idCursor(request.query.cursor, 'dlq', 'events.invalid_cursor');
      const rows = await listDeadLetters(deps.db.k, limit + 1, cursor);
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          eventId: r.event_id,
          eventType: r.event.type,
          aggregateId: r.event.aggregateId,
          subscriber: r.subscriber,
          attempts: r.attempts,
          lastError: r.last_error,
          createdAt: new Date(r.created_at).toISOString(),
          event: r.event as unknown as Record<string, unknown>,
        })),
        nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  http.post(
    '/v1/admin/events/dead-letters/:id/retry',
    {
      config: { access: access.permission('events:manage') },
      schema: {
        tags: ['events'],
        summary: 'Deliver a dead-lettered event to its subscriber again',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          202: Type.Object({ id: Id(), status: Type.Literal('requeued') }),
          401: problemResponse('Authentication required'),
          403: problemResponse('Needs the permission events:manage'),
          404: problemResponse('No such dead letter (events.dead_letter_not_found)'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await retryDeadLetter(deps.db, id))) {
        throw errors.notFound('events.dead_letter_not_found', `No dead letter ${id}.`);
      }
      deps.wake();
      return reply.code(202).send({ id, status: 'requeued' as const });
    },
  );
}
