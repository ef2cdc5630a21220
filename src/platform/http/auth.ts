// Access control at the edge. Every route declares who may call it in `config.access`; a hook
// authenticates the caller (the identity module supplies the Authenticator at wiring) and builds
// `request.ctx`. Missing credentials → 401; authenticated without the permission → 403. Routes whose
// credentials are optional (a guest or a signed-in customer) refuse invalid ones with 401 like any other.
// Object-level checks (another customer's cart → 404) belong to the owning service.

import type { FastifyRequest } from 'fastify';
import type { Actor, Ctx } from '../context.ts';
import { errors } from '../errors.ts';
import { negotiateLocale } from '../locale.ts';
import type { App } from './app-type.ts';

export type Access =
  | { kind: 'public' }
  /** Any authenticated actor: customer, staff or API key. */
  | { kind: 'authenticated' }
  /** A signed-in customer (staff may act as customers too). */
  | { kind: 'customer' }
  /** Staff or an API key holding this permission, e.g. `inventory:write`. */
  | { kind: 'permission'; permission: string }
  /**
   * Anyone, with or without credentials: a guest proves access with a token the server issued (X-Cart-Token,
   * X-Order-Token), a signed-in customer with their Bearer token (their own carts and orders). Credentials that are
   * sent must be valid: invalid, expired or revoked ones → 401, never a silent guest. With `permission`, staff and
   * API keys holding it reach what is not theirs (any order).
   */
  | { kind: 'optional'; permission?: string };

export const access = {
  public: { kind: 'public' } as Access,
  authenticated: { kind: 'authenticated' } as Access,
  customer: { kind: 'customer' } as Access,
  permission: (permission: string): Access => ({ kind: 'permission', permission }),
  /** A guest, or a signed-in customer identified by their (optional, checked) Bearer token. */
  optionalCustomer: { kind: 'optional' } as Access,
  /** optionalCustomer, where staff and API keys holding `permission` reach what is not theirs. */
  optionalCustomerOr: (permission: string): Access => ({ kind: 'optional', permission }),
};

/**
 * Resolves the caller from the request's credentials. Returns the anonymous actor when there are
 * none; throws a 401 AppError when credentials are present but invalid (expired, tampered, revoked).
 */
export type Authenticator = (request: FastifyRequest) => Promise<Actor>;

/** Without an identity module every request is anonymous, and any presented credential is refused. */
export const anonymousAuthenticator: Authenticator = async (request) => {
  if (request.headers.authorization) throw errors.unauthorized('Credentials are not accepted by this server.');
  return { kind: 'anonymous' };
};

declare module 'fastify' {
  interface FastifyRequest {
    ctx: Ctx;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function hasPermission(actor: Actor, permission: string): boolean {
  if (actor.kind !== 'staff' && actor.kind !== 'api_key') return false;
  return actor.permissions.includes(permission) || actor.permissions.includes('*');
}

export function checkAccess(rule: Access, actor: Actor): void {
  switch (rule.kind) {
    case 'public':
    case 'optional':
      return;
    case 'authenticated':
      if (actor.kind === 'anonymous') throw errors.unauthorized();
      return;
    case 'customer':
      if (actor.kind === 'anonymous') throw errors.unauthorized();
      if (actor.kind !== 'customer' && actor.kind !== 'staff') throw errors.forbidden('Only customers may do this.');
      return;
    case 'permission':
      if (actor.kind === 'anonymous') throw errors.unauthorized();
      if (!hasPermission(actor, rule.permission)) {
        throw errors.forbidden(`This needs the permission ${rule.permission}.`);
      }
      return;
  }
}

/** Installs the authentication hook; routes without `config.access` are public. */
export function installAuth(app: App, authenticate: Authenticator): void {
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.addHook('onRequest', async (request) => {
    request.ctx = { requestId: String(request.id), actor: { kind: 'anonymous' } };
  });
  // preValidation: credentials are checked before the body is, so an anonymous caller learns 401,
  // not the route's schema.
  app.addHook('preValidation', async (request) => {
    const rule = request.routeOptions.config.access ?? access.public;
    // Public routes never fail on credentials: a stale token sent to /v1/auth/refresh or /v1/auth/login must
    // not block the call that renews it. Routes with optional credentials (access.optionalCustomer) use the
    // caller's identity, so a token they cannot trust is refused (401) rather than read as a guest.
    let actor: Actor;
    try {
      actor = await authenticate(request);
    } catch (e) {
      if (rule.kind !== 'public') throw e;
      actor = { kind: 'anonymous' };
    }
    const idempotencyKey = request.headers['idempotency-key'];
    const traceparent = request.headers.traceparent;
    request.ctx = {
      requestId: String(request.id),
      actor,
      idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
      traceparent: typeof traceparent === 'string' ? traceparent : undefined,
      locale: negotiateLocale(request.headers['accept-language']),
    };
    checkAccess(rule, actor);
  });
}
