// The typed API client: openapi-fetch over the paths generated from /openapi.json (schema.d.ts). Every call carries
// the staff member's access token; a 401 refreshes the session once (the refresh token is single use and rotated,
// so concurrent 401s share one refresh) and repeats the request.
import createClient from 'openapi-fetch';
import { session } from '../auth/session.ts';
import type { paths } from './schema.d.ts';

async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const token = session.accessToken();
  if (token) request.headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(request);
  if (res.status !== 401 || !token || !session.hasRefreshToken()) return res;
  const renewed = await session.refresh();
  if (!renewed) return res;
  retry.headers.set('authorization', `Bearer ${renewed}`);
  return fetch(retry);
}

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authFetch });

/** An Idempotency-Key for one user action (a retried click sends the same key only if the caller keeps it). */
export const newIdempotencyKey = (): string => crypto.randomUUID();
