// The request context passed explicitly as the first argument of every service call.

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'customer'; userId: string }
  | { kind: 'staff'; userId: string; roles: string[]; permissions: string[] }
  | { kind: 'api_key'; keyId: string; permissions: string[] }
  | { kind: 'system'; name: string };

export interface Ctx {
  requestId: string;
  actor: Actor;
  idempotencyKey?: string | undefined;
  /** W3C traceparent of the request, carried into events. */
  traceparent?: string | undefined;
  /** The client's language among the shop's (Accept-Language), kept with the account or order it creates. */
  locale?: string | undefined;
}

export function systemCtx(name: string, requestId = `sys-${name}`): Ctx {
  return { requestId, actor: { kind: 'system', name } };
}

export const anonymous: Actor = { kind: 'anonymous' };

/** The one way an actor is written into records (order log, stock movements, erasure requests): `kind:id`, or
 * `guest` for someone without an account (a guest shopper holding a cart or order token). */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'staff':
    case 'customer':
      return `${actor.kind}:${actor.userId}`;
    case 'api_key':
      return `api_key:${actor.keyId}`;
    case 'system':
      return `system:${actor.name}`;
    case 'anonymous':
      return 'guest';
  }
}
