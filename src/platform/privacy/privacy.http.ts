// Staff endpoints for personal data: erase a guest's data by email (audited, resumable), export a guest's data
// by email, list and read erasure records, and follow (or push on) a master key rotation.
import { Type } from 'typebox';
import { errors } from '../errors.ts';
import { access } from '../http/auth.ts';
import { idCursor } from '../http/cursor.ts';
import { problemResponse } from '../http/problem.ts';
import { DateTime, Id, Integer, List, Text } from '../http/schema-helpers.ts';
import type { App } from '../http/server.ts';
import { personIndexCandidates } from './email.ts';
import type { Erasures } from './erasure.ts';
import { EXPORT_SCHEMA_VERSION, exportModules, exportModulesSchema } from './export.ts';
import type { Privacy } from './privacy.ts';
import type { KeyRotation } from './rotation.ts';

const tags = ['privacy'];
const EmailField = Type.String({
  pattern: '^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$',
  maxLength: 254,
  examples: ['guest@example.com'],
  description: 'Matched as documented in docs/privacy.md: case-insensitive, `+tag` ignored',
});
const Erasure = Type.Object({
  id: Id({ examples: ['era_01jd3m5w4q0000000000000000'] }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('done')]),
  userId: Type.Union([Id(), Type.Null()], { description: 'The account erased, or null for a guest' }),
  requestedBy: Text(300, { examples: ['staff:usr_01jd0v9k7m3q2c8f6h4n5p7r9t'] }),
  reason: Type.Union([Text(), Type.Null()]),
  stepsDone: Type.Array(Text(), { maxItems: 1000, description: 'Modules done so far, then data_keys (the shredding)' }),
  recordsErased: Integer({ minimum: 0 }),
  attempts: Integer({ minimum: 0, description: 'Failed runs so far (the resume job retries)' }),
  lastError: Type.Union([Text(), Type.Null()]),
  createdAt: DateTime(),
  completedAt: Type.Union([DateTime(), Type.Null()]),
});
const denied = {
  401: problemResponse('Authentication required'),
  403: problemResponse('Needs the permission privacy:manage'),
};
const manage = { access: access.permission('privacy:manage') };

export function registerPrivacyAdminRoutes(
  http: App,
  deps: { privacy: Privacy; erasures: Erasures; rotation: KeyRotation },
): void {
  const { privacy, erasures, rotation } = deps;
  const guest = (email: string) => ({ userId: null, emailIndexes: personIndexCandidates(privacy.pii, email) });

  http.post(
    '/v1/admin/privacy/erasures',
    {
      config: manage,
      schema: {
        tags,
        summary: "Erase a guest's personal data by email (guest carts, orders' personal fields, events)",
        description:
          'Runs at once; `status` is `pending` when a module failed, and the privacy.resume_erasures job finishes it. ' +
          "Orders stay for the legal retention with their personal fields removed. An account's data is erased " +
          'by DELETE /v1/me, not here.',
        body: Type.Object(
          { email: EmailField, reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: { 201: Erasure, 400: problemResponse('Invalid body (request.validation_failed)'), ...denied },
      },
    },
    async (request, reply) => {
      const { email, reason } = request.body;
      return reply.code(201).send(await erasures.erase(request.ctx, guest(email), reason));
    },
  );

  http.get(
    '/v1/admin/privacy/erasures',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Erasure requests, newest first (the audit of who erased whom, when)',
        querystring: Type.Object({
          limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: {
          200: Type.Object({ items: List(Erasure), nextCursor: Type.Union([Text(), Type.Null()]) }),
          400: problemResponse('privacy.invalid_cursor or request.validation_failed'),
          ...denied,
        },
      },
    },
    async (request) => {
      const { limit = 20 } = request.query;
      const rows = await erasures.list(limit + 1, idCursor(request.query.cursor, 'era', 'privacy.invalid_cursor'));
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  );

  http.get(
    '/v1/admin/privacy/erasures/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'One erasure request and its progress',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Erasure, ...denied, 404: problemResponse('No such erasure (privacy.erasure_not_found)') },
      },
    },
    async (request) => {
      const found = await erasures.get(request.params.id);
      if (!found) throw errors.notFound('privacy.erasure_not_found', `No erasure ${request.params.id}.`);
      return found;
    },
  );

  http.post(
    '/v1/admin/privacy/exports',
    {
      config: manage,
      schema: {
        tags,
        summary: "A guest's personal data by email, as one machine-readable document (GDPR access request)",
        body: Type.Object({ email: EmailField }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            schemaVersion: Integer({ examples: [EXPORT_SCHEMA_VERSION] }),
            exportedAt: DateTime(),
            modules: exportModulesSchema(privacy),
          }),
          400: problemResponse('Invalid body (request.validation_failed)'),
          ...denied,
        },
      },
    },
    async (request) => ({
      schemaVersion: EXPORT_SCHEMA_VERSION,
      exportedAt: new Date().toISOString(),
      modules: await exportModules(privacy, request.ctx, guest(request.body.email)),
    }),
  );

  const Progress = Type.Object({
    activeKeyId: Text(100, { examples: ['k2'] }),
    remaining: Integer({ minimum: 0, description: 'Values and blind indexes still under an old key' }),
    complete: Type.Boolean(),
    parts: List(Type.Object({ module: Text(), name: Text(), remaining: Integer({ minimum: 0 }) })),
  });
  http.get(
    '/v1/admin/privacy/key-rotation',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Progress of re-encrypting personal data under the active key',
        response: { 200: Progress, ...denied },
      },
    },
    async () => rotation.progress(),
  );
  http.post(
    '/v1/admin/privacy/key-rotation',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Re-encrypt for up to 2 seconds now, then report progress (the privacy.rotate_keys job does the rest)',
        response: { 200: Progress, ...denied },
      },
    },
    async () => {
      await rotation.run(2_000);
      return rotation.progress();
    },
  );
}
