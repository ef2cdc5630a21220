// Signing in and resuming a session: tokens from the identity endpoints, then who signed in from GET /v1/me
// (an account without a staff role is refused here; the API would refuse its calls anyway).
import { api } from '../api/client.ts';
import { problemMessage } from '../lib/problem.ts';
import { session } from './session.ts';

const NOT_STAFF = 'This account has no staff role. Ask an administrator to grant one.';

async function identify(): Promise<string | undefined> {
  const me = await api.GET('/v1/me');
  if (!me.data) return problemMessage(me.error, 'Could not load your account.');
  if (me.data.roles.length === 0) {
    await session.signOut();
    return NOT_STAFF;
  }
  session.identify(me.data, me.data.roles);
  return undefined;
}

/** Signs in; the message to show when it failed. */
export async function signIn(email: string, password: string): Promise<string | undefined> {
  const { data, error } = await session.login(email, password);
  if (!data) return problemMessage(error, 'Sign-in failed.');
  session.keep(data);
  return identify();
}

/** On load: a stored refresh token buys a new access token, then who is signed in. */
export async function resume(): Promise<void> {
  if (!session.hasRefreshToken()) return;
  if (!(await session.refresh())) return;
  const failed = await identify();
  if (failed) session.clear();
}
