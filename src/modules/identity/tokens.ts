// Access tokens: EdDSA (Ed25519) JWTs with `kid`, checked for signature, issuer, audience and expiry.
// Previous public keys stay in the JWKS so a key rotation logs nobody out.
import { createHash, randomBytes } from 'node:crypto';
import { type JWK, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { SigningKey } from './secrets.ts';

export const ACCESS_TOKEN_AUDIENCE = 'emporium-api';

export interface AccessClaims {
  sub: string;
  /** The session (refresh-token family) the token belongs to. */
  sid: string;
}

export interface TokenSigner {
  sign(claims: AccessClaims): Promise<string>;
  /** Throws when the token is invalid; returns its claims otherwise. */
  verify(token: string): Promise<AccessClaims>;
  jwks(): { keys: JWK[] };
  setKeys(keys: SigningKey[]): void;
}

export class InvalidTokenError extends Error {}

export function createTokenSigner(options: { keys: SigningKey[]; issuer: string; ttlSeconds: number }): TokenSigner {
  let keys = options.keys;
  let byKid = new Map(keys.map((k) => [k.kid, k]));
  return {
    async sign(claims) {
      const current = keys[0];
      if (!current?.privateKey) throw new Error('no signing key');
      return new SignJWT({ sid: claims.sid })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: current.kid })
        .setSubject(claims.sub)
        .setIssuer(options.issuer)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .setJti(randomBytes(9).toString('base64url'))
        .sign(current.privateKey);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            const key = header.kid ? byKid.get(header.kid) : undefined;
            if (!key) throw new InvalidTokenError('unknown key id');
            return key.publicKey;
          },
          {
            algorithms: ['EdDSA'],
            issuer: options.issuer,
            audience: ACCESS_TOKEN_AUDIENCE,
            typ: 'at+jwt',
            requiredClaims: ['sub', 'exp', 'iat'],
          },
        );
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
          throw new InvalidTokenError('missing claims');
        }
        return { sub: payload.sub, sid: payload.sid };
      } catch (e) {
        if (e instanceof joseErrors.JOSEError || e instanceof InvalidTokenError) {
          throw new InvalidTokenError(e instanceof joseErrors.JWTExpired ? 'expired' : 'invalid');
        }
        throw e;
      }
    },
    jwks() {
      return {
        keys: keys.map((k) => ({
          ...(k.publicKey.export({ format: 'jwk' }) as JWK),
          kid: k.kid,
          alg: 'EdDSA',
          use: 'sig',
        })),
      };
    },
    setKeys(next) {
      keys = next;
      byKid = new Map(keys.map((k) => [k.kid, k]));
    },
  };
}

/** SHA-256 of an opaque secret (refresh tokens, account tokens, API keys): what we store. */
export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function opaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}
