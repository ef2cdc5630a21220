// Customer-facing identity routes: /v1/auth/*, /v1/me*, /.well-known/jwks.json.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type Access, access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { List } from '../../platform/http/schema-helpers.ts';
import type { App } from '../../platform/http/server.ts';
import { exportModulesSchema } from '../../platform/privacy/export.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import type { AccountsService } from './accounts.service.ts';
import type { ClientInfo } from './contract.ts';
import {
  Accepted,
  AddressBody,
  AddressPatch,
  AddressSchema,
  AuthResultSchema,
  EmailBody,
  exportSchema,
  IdParams,
  JwksSchema,
  LoginBody,
  MePatch,
  MeSchema,
  P,
  RefreshBody,
  RegisterBody,
  ResetConfirmBody,
  TokenBody,
} from './identity.schemas.ts';
import type { createProfileService } from './profile.service.ts';
import type { TokenSigner } from './tokens.ts';

export function clientOf(request: FastifyRequest): ClientInfo {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : undefined };
}

/** The signed-in user's id (customer routes also admit staff acting for themselves). */
export function userIdOf(request: FastifyRequest): string {
  const a = request.ctx.actor;
  if (a.kind === 'customer' || a.kind === 'staff') return a.userId;
  throw new Error('customer route reached without a user');
}

const tags = ['identity'];
const cfg = (a: Access) => ({ access: a });

export function registerIdentityRoutes(
  http: App,
  s: {
    accounts: AccountsService;
    profile: ReturnType<typeof createProfileService>;
    signer: TokenSigner;
    privacy: Privacy;
  },
): void {
  const { accounts, profile } = s;

  http.post(
    '/v1/auth/register',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'Create a customer account',
        body: RegisterBody,
        response: { 201: AuthResultSchema, 409: P[409], 422: P[422] },
      },
    },
    async (req, reply) => reply.code(201).send(await accounts.register(req.ctx, req.body, clientOf(req))),
  );

  http.post(
    '/v1/auth/login',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'Sign in with email and password',
        body: LoginBody,
        response: {
          200: AuthResultSchema,
          401: P[401],
          403: problemResponse('The password is right but the account is disabled (identity.account_disabled)'),
          429: P[429],
        },
      },
    },
    async (req) => accounts.login(req.ctx, req.body, clientOf(req)),
  );

  http.post(
    '/v1/auth/refresh',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'Exchange a refresh token (rotated; reuse revokes the session)',
        body: RefreshBody,
        response: { 200: AuthResultSchema, 401: P[401] },
      },
    },
    async (req) => accounts.refresh(req.ctx, req.body.refreshToken, clientOf(req)),
  );

  http.post(
    '/v1/auth/logout',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'End the session of a refresh token',
        body: RefreshBody,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await accounts.logout(req.ctx, req.body.refreshToken, clientOf(req));
      return reply.code(204).send(null);
    },
  );

  http.post(
    '/v1/auth/password-reset',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'Request a password reset email (same answer for unknown emails)',
        body: EmailBody,
        response: { 202: Accepted },
      },
    },
    async (req, reply) => {
      await accounts.requestPasswordReset(req.ctx, req.body.email);
      return reply.code(202).send({ accepted: true });
    },
  );

  http.post(
    '/v1/auth/password-reset/confirm',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'Set a new password with a reset token',
        body: ResetConfirmBody,
        response: { 204: Type.Null(), 400: P[400], 422: P[422] },
      },
    },
    async (req, reply) => {
      await accounts.confirmPasswordReset(req.ctx, req.body, clientOf(req));
      return reply.code(204).send(null);
    },
  );

  http.post(
    '/v1/auth/verify-email',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'Confirm an email address with its token',
        body: TokenBody,
        response: { 204: Type.Null(), 400: P[400] },
      },
    },
    async (req, reply) => {
      await accounts.verifyEmail(req.ctx, req.body.token);
      return reply.code(204).send(null);
    },
  );

  http.post(
    '/v1/auth/verify-email/resend',
    {
      config: cfg(access.customer),
      schema: { tags, summary: 'Send the verification email again', response: { 202: Accepted, 401: P[401] } },
    },
    async (req, reply) => {
      await accounts.resendVerification(req.ctx, userIdOf(req));
      return reply.code(202).send({ accepted: true });
    },
  );

  http.get(
    '/.well-known/jwks.json',
    {
      config: cfg(access.public),
      schema: {
        tags,
        summary: 'Public keys that verify access tokens (current and previous)',
        response: { 200: JwksSchema },
      },
    },
    async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(s.signer.jwks()),
  );

  http.get(
    '/v1/me',
    {
      config: cfg(access.customer),
      schema: { tags, summary: 'The signed-in user', response: { 200: MeSchema, 401: P[401] } },
    },
    async (req) => profile.get(req.ctx, userIdOf(req)),
  );

  http.patch(
    '/v1/me',
    {
      config: cfg(access.customer),
      schema: { tags, summary: 'Update name or phone', body: MePatch, response: { 200: MeSchema, 401: P[401] } },
    },
    async (req) => profile.update(req.ctx, userIdOf(req), req.body),
  );

  http.get(
    '/v1/me/addresses',
    {
      config: cfg(access.customer),
      schema: {
        tags,
        summary: 'Address book',
        response: { 200: Type.Object({ items: List(AddressSchema) }), 401: P[401] },
      },
    },
    async (req) => ({ items: await profile.listAddresses(req.ctx, userIdOf(req)) }),
  );

  http.post(
    '/v1/me/addresses',
    {
      config: cfg(access.customer),
      schema: { tags, summary: 'Add an address', body: AddressBody, response: { 201: AddressSchema, 401: P[401] } },
    },
    async (req, reply) => reply.code(201).send(await profile.addAddress(req.ctx, userIdOf(req), req.body)),
  );

  http.patch(
    '/v1/me/addresses/:id',
    {
      config: cfg(access.customer),
      schema: {
        tags,
        summary: 'Change an address',
        params: IdParams,
        body: AddressPatch,
        response: { 200: AddressSchema, 401: P[401], 404: P[404] },
      },
    },
    async (req) => profile.updateAddress(req.ctx, userIdOf(req), req.params.id, req.body),
  );

  http.delete(
    '/v1/me/addresses/:id',
    {
      config: cfg(access.customer),
      schema: {
        tags,
        summary: 'Remove an address',
        params: IdParams,
        response: { 204: Type.Null(), 401: P[401], 404: P[404] },
      },
    },
    async (req, reply) => {
      await profile.removeAddress(req.ctx, userIdOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/v1/me/export',
    {
      config: cfg(access.customer),
      schema: {
        tags,
        summary: 'Everything held about me (GDPR export)',
        description: 'One machine-readable document; every section is described in docs/privacy.md.',
        response: { 200: exportSchema(exportModulesSchema(s.privacy)), 401: P[401] },
      },
    },
    async (req) => profile.export(req.ctx, userIdOf(req)),
  );

  http.delete(
    '/v1/me',
    {
      config: cfg(access.customer),
      schema: {
        tags,
        summary: 'Erase my account and personal data (GDPR); ends every session',
        response: { 204: Type.Null(), 401: P[401] },
      },
    },
    async (req, reply) => {
      await profile.erase(req.ctx, userIdOf(req), clientOf(req));
      return reply.code(204).send(null);
    },
  );
}
