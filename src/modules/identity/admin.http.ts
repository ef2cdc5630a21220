// Staff routes: /v1/admin/users, /v1/admin/api-keys, /v1/admin/audit-log.
import { Type } from 'typebox';
import { access } from '../../platform/http/auth.ts';
import { idCursor } from '../../platform/http/cursor.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { Count, Id, Integer, List, Text, Token } from '../../platform/http/schema-helpers.ts';
import type { App } from '../../platform/http/server.ts';
import { exportModulesSchema } from '../../platform/privacy/export.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import { clientOf } from './identity.http.ts';
import { Email, exportSchema, IdParams, P, Password } from './identity.schemas.ts';
import type { createProfileService } from './profile.service.ts';
import type { createStaffService } from './staff.service.ts';

const tags = ['identity'];
const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('catalog_manager'),
  Type.Literal('order_manager'),
  Type.Literal('support'),
]);
const StaffUser = Type.Object({
  id: Id(),
  email: Text(320),
  name: Type.Union([Text(200), Type.Null()]),
  roles: List(Text(100), 100),
  status: Text(40),
  emailVerified: Type.Boolean(),
  disabledAt: Type.Union([Text(40), Type.Null()], {
    description: 'When the account was disabled (it cannot sign in); null when it is enabled',
  }),
  createdAt: Text(40),
});
const ApiKey = Type.Object({
  id: Id(),
  name: Text(200),
  prefix: Text(40, { description: 'The first characters of the key, to recognise it' }),
  permissions: List(Text(100), 100),
  createdAt: Text(40),
  lastUsedAt: Type.Union([Text(40), Type.Null()]),
  revokedAt: Type.Union([Text(40), Type.Null()]),
});
const Page = Type.Object({
  limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
});
const UserQuery = Type.Object({
  ...Page.properties,
  email: Type.Optional(
    Type.String({
      minLength: 3,
      maxLength: 320,
      description: 'Only the account with exactly this email (case-insensitive); no partial match',
      examples: ['ada@example.com'],
    }),
  ),
});

/** A cursor a list did not issue (nextCursor is the last row's id). */
const INVALID_CURSOR = 'identity.invalid_cursor';
const badCursor = problemResponse(`${INVALID_CURSOR} or request.validation_failed`);

export function registerAdminRoutes(
  http: App,
  s: {
    staff: ReturnType<typeof createStaffService>;
    profile: ReturnType<typeof createProfileService>;
    privacy: Privacy;
  },
): void {
  const { staff } = s;
  const users = { access: access.permission('users:manage') };

  http.get(
    '/v1/admin/users',
    {
      config: users,
      schema: {
        tags,
        summary: 'List users',
        description: 'Every account, customers and staff, in id order; `email` finds one account by its exact email.',
        querystring: UserQuery,
        response: {
          200: Type.Object({
            items: List(StaffUser),
            total: Count(),
            nextCursor: Type.Union([Text(), Type.Null()]),
          }),
          400: badCursor,
          401: P[401],
          403: P[403],
        },
      },
    },
    async (req) =>
      staff.listUsers(req.ctx, {
        ...req.query,
        cursor: idCursor(req.query.cursor, 'usr', INVALID_CURSOR),
        limit: req.query.limit ?? 20,
      }),
  );

  http.get(
    '/v1/admin/users/:id',
    {
      config: users,
      schema: {
        tags,
        summary: 'Read a user',
        params: IdParams,
        response: { 200: StaffUser, 401: P[401], 403: P[403], 404: P[404] },
      },
    },
    async (req) => staff.getUser(req.ctx, req.params.id),
  );

  http.get(
    '/v1/admin/users/:id/export',
    {
      config: { access: access.permission('privacy:manage') },
      schema: {
        tags,
        summary: "Everything held about an account (GDPR export for a data subject's request)",
        description:
          'The same document the account holder gets from `GET /v1/me/export`; each export is written to the ' +
          "account's audit log. An erased account answers 404.",
        params: IdParams,
        response: { 200: exportSchema(exportModulesSchema(s.privacy)), 401: P[401], 403: P[403], 404: P[404] },
      },
    },
    async (req) => s.profile.exportForStaff(req.ctx, req.params.id, clientOf(req)),
  );

  http.post(
    '/v1/admin/users',
    {
      config: users,
      schema: {
        tags,
        summary: 'Create a staff user',
        body: Type.Object(
          {
            email: Email,
            password: Password,
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            roles: Type.Array(Role, { maxItems: 1000, minItems: 1, uniqueItems: true }),
          },
          { additionalProperties: false },
        ),
        response: { 201: StaffUser, 401: P[401], 403: P[403], 409: P[409], 422: P[422] },
      },
    },
    async (req, reply) => reply.code(201).send(await staff.createStaff(req.ctx, req.body, clientOf(req))),
  );

  http.put(
    '/v1/admin/users/:id/roles',
    {
      config: users,
      schema: {
        tags,
        summary: "Replace a user's roles (empty: no staff access)",
        params: IdParams,
        body: Type.Object(
          { roles: Type.Array(Role, { maxItems: 1000, uniqueItems: true }) },
          { additionalProperties: false },
        ),
        response: { 200: StaffUser, 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
      },
    },
    async (req) => staff.setRoles(req.ctx, req.params.id, req.body.roles, clientOf(req)),
  );

  for (const disabled of [true, false]) {
    http.post(
      `/v1/admin/users/:id/${disabled ? 'disable' : 'enable'}`,
      {
        config: users,
        schema: {
          tags,
          summary: disabled
            ? 'Disable an account: it cannot sign in and its sessions end at once (idempotent)'
            : 'Enable a disabled account again (idempotent)',
          description: disabled
            ? 'Revokes every session of the account (its access and refresh tokens stop working on their next use) ' +
              'and drops its pending password resets; sign-in answers 403 `identity.account_disabled`. API keys it ' +
              'created are not touched (revoke them separately). Written to the audit log (`user.disabled`). Staff ' +
              'cannot disable themselves (409 `identity.cannot_disable_self`).'
            : 'The account can sign in again with its password; its old sessions stay revoked. Written to the audit ' +
              'log (`user.enabled`).',
          params: IdParams,
          response: { 200: StaffUser, 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
        },
      },
      async (req) => staff.setDisabled(req.ctx, req.params.id, disabled, clientOf(req)),
    );
  }

  http.post(
    '/v1/admin/users/:id/password-reset',
    {
      config: users,
      schema: {
        tags,
        summary: 'Send an account the password-reset email (the storefront flow)',
        description:
          'Issues a single-use reset token and mails its link, as `POST /v1/auth/password-reset` does, to the ' +
          'account named by id; written to the audit log (`password.reset_sent_by_staff`). A disabled account is ' +
          'refused with 409 `identity.user_disabled`; an unknown or erased one answers 404.',
        params: IdParams,
        response: {
          202: Type.Null({ description: 'The email is on its way' }),
          401: P[401],
          403: P[403],
          404: P[404],
          409: P[409],
        },
      },
    },
    async (req, reply) => {
      await staff.sendPasswordReset(req.ctx, req.params.id, clientOf(req));
      return reply.code(202).send(null);
    },
  );

  http.delete(
    '/v1/admin/users/:id',
    {
      config: users,
      schema: {
        tags,
        summary: "Erase a user's personal data (GDPR; idempotent)",
        description:
          'Erases the account and runs the erasure across every module. An account already erased answers 204 again ' +
          'and nothing changes; an id no account has answers 404 `identity.user_not_found`.',
        params: IdParams,
        response: { 204: Type.Null(), 401: P[401], 403: P[403], 404: P[404] },
      },
    },
    async (req, reply) => {
      await s.profile.erase(req.ctx, req.params.id, clientOf(req));
      return reply.code(204).send(null);
    },
  );

  const keys = { access: access.permission('api_keys:manage') };
  http.post(
    '/v1/admin/api-keys',
    {
      config: keys,
      schema: {
        tags,
        summary: 'Create an API key (the key is shown only in this response)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            permissions: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000, minItems: 1, uniqueItems: true }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Intersect([
            ApiKey,
            Type.Object({ key: Token(200, { examples: ['emp_live_q3ZV8mKx2T0bW7yLr5NcJ4hA9sPeUf6D'] }) }),
          ]),
          401: P[401],
          403: P[403],
          422: P[422],
        },
      },
    },
    async (req, reply) => reply.code(201).send(await staff.createApiKey(req.ctx, req.body, clientOf(req))),
  );

  http.get(
    '/v1/admin/api-keys',
    {
      config: keys,
      schema: {
        tags,
        summary: 'List API keys (never the keys themselves)',
        response: { 200: Type.Object({ items: List(ApiKey) }), 401: P[401], 403: P[403] },
      },
    },
    async (req) => staff.listApiKeys(req.ctx),
  );

  http.delete(
    '/v1/admin/api-keys/:id',
    {
      config: keys,
      schema: {
        tags,
        summary: 'Revoke an API key (idempotent)',
        params: IdParams,
        response: { 204: Type.Null(), 401: P[401], 403: P[403], 404: P[404] },
      },
    },
    async (req, reply) => {
      await staff.revokeApiKey(req.ctx, req.params.id, clientOf(req));
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/v1/admin/audit-log',
    {
      config: { access: access.permission('audit:read') },
      schema: {
        tags,
        summary: 'Security audit log, newest first',
        querystring: Type.Object({
          ...Page.properties,
          subjectId: Type.Optional(Type.String({ maxLength: 64 })),
          action: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: {
          200: Type.Object({
            items: List(
              Type.Object({
                id: Id(),
                at: Text(40),
                action: Text(100),
                actorKind: Text(40),
                actorId: Type.Union([Text(200), Type.Null()]),
                subjectId: Type.Union([Text(200), Type.Null()]),
                ip: Type.Union([Text(100), Type.Null()]),
                detail: Type.Object({}, { additionalProperties: true }),
              }),
            ),
            nextCursor: Type.Union([Text(), Type.Null()]),
          }),
          400: badCursor,
          401: P[401],
          403: P[403],
        },
      },
    },
    async (req) =>
      staff.auditLog(req.ctx, {
        ...req.query,
        cursor: idCursor(req.query.cursor, 'aud', INVALID_CURSOR),
        limit: req.query.limit ?? 20,
      }),
  );
}
