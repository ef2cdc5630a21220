// The staff session. The access token lives in memory only; the refresh token (opaque, single use, rotated on each
// refresh: the API hands it to the client to keep) is kept in sessionStorage so a reload of the tab stays signed in,
// and is gone when the tab closes. Sign-out ends the session on the server.
import createClient from 'openapi-fetch';
import type { paths } from '../api/schema.d.ts';
import { permissionsOf } from '../lib/permissions.ts';

type Tokens = paths['/v1/auth/login']['post']['responses'][200]['content']['application/json'];
export interface StaffUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  permissions: string[];
}

const REFRESH_KEY = 'emporium.admin.refresh';
type Listener = () => void;

function createSession() {
  let access: string | undefined;
  let user: StaffUser | undefined;
  let refreshing: Promise<string | undefined> | undefined;
  const listeners = new Set<Listener>();
  const emit = () => {
    for (const l of listeners) l();
  };
  const storage = () => (typeof sessionStorage === 'undefined' ? undefined : sessionStorage);

  // The auth endpoints take no bearer token: a client of their own, without the refreshing fetch.
  const auth = createClient<paths>({ baseUrl: typeof window === 'undefined' ? '' : window.location.origin });

  function keep(tokens: Tokens) {
    access = tokens.accessToken;
    storage()?.setItem(REFRESH_KEY, tokens.refreshToken);
  }

  function clear() {
    access = undefined;
    user = undefined;
    storage()?.removeItem(REFRESH_KEY);
    emit();
  }

  return {
    accessToken: () => access,
    user: () => user,
    hasRefreshToken: () => Boolean(storage()?.getItem(REFRESH_KEY)),
    subscribe(l: Listener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    /** The API's answer to a sign-in (a problem on failure). */
    login: (email: string, password: string) => auth.POST('/v1/auth/login', { body: { email, password } }),
    keep,
    /** Who is signed in, with the permissions of their roles. */
    identify(basics: Pick<StaffUser, 'id' | 'email' | 'name'>, roles: string[]): StaffUser {
      user = { ...basics, roles, permissions: permissionsOf(roles) };
      emit();
      return user;
    },
    /** A new access token from the refresh token, or undefined (then the session is over). */
    refresh(): Promise<string | undefined> {
      refreshing ??= (async () => {
        const refreshToken = storage()?.getItem(REFRESH_KEY);
        if (!refreshToken) return undefined;
        const { data } = await auth.POST('/v1/auth/refresh', { body: { refreshToken } });
        if (!data) {
          clear();
          return undefined;
        }
        keep(data);
        return access;
      })().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
    async signOut(): Promise<void> {
      const refreshToken = storage()?.getItem(REFRESH_KEY);
      if (refreshToken) await auth.POST('/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
      clear();
    },
    clear,
  };
}

export const session = createSession();
