// Resolves `Authorization: Bearer …` into an Actor: API keys (`emp_live_…`, looked up by hash) or
// access tokens (EdDSA JWT, then its session and user are checked, so logout, erasure and role
// changes take effect at once).
import type { Actor } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import type { Authenticator } from '../../platform/http/auth.ts';
import type { IdentityDeps } from './identity.deps.ts';
import { sessionsRepo } from './identity.repo.ts';
import { permissionsOf } from './permissions.ts';
import { apiKeysRepo } from './security.repo.ts';
import { API_KEY_PREFIX } from './staff.service.ts';
import { InvalidTokenError, sha256 } from './tokens.ts';

export async function resolveBearer(deps: IdentityDeps, token: string): Promise<Actor> {
  if (token.startsWith(API_KEY_PREFIX)) {
    const key = await apiKeysRepo.activeByHash(deps.db.k, sha256(token));
    if (!key) throw errors.unauthorized('The API key is unknown or revoked.');
    await apiKeysRepo.touch(deps.db.k, key.id);
    return { kind: 'api_key', keyId: key.id, permissions: key.permissions };
  }
  let claims: { sub: string; sid: string };
  try {
    claims = await deps.signer.verify(token);
  } catch (e) {
    if (e instanceof InvalidTokenError) {
      throw errors.unauthorized(
        e.message === 'expired' ? 'The access token has expired.' : 'The access token is invalid.',
      );
    }
    throw e;
  }
  const session = await sessionsRepo.activeWithUser(deps.db.k, claims.sid, claims.sub);
  if (!session) throw errors.unauthorized('The session has ended; sign in again.');
  if (session.roles.length > 0) {
    return { kind: 'staff', userId: claims.sub, roles: session.roles, permissions: permissionsOf(session.roles) };
  }
  return { kind: 'customer', userId: claims.sub };
}

export function createAuthenticator(deps: IdentityDeps): Authenticator {
  return async (request) => {
    const header = request.headers.authorization;
    if (!header) return { kind: 'anonymous' };
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw errors.unauthorized('Use Authorization: Bearer <token>.');
    return resolveBearer(deps, match[1]);
  };
}
