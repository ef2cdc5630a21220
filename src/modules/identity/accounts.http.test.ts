import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCustomer, TEST_PASSWORD, uniqueEmail } from '../../../test/support/auth.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { ACCOUNT_TOKEN_FIELD } from './events.ts';
import { ACCESS_TOKEN_AUDIENCE } from './tokens.ts';

/** The passwords every argon2 verification in this file checked, in order (REQ-IDN-002 counts them). */
const argon2Verifications = vi.hoisted(() => [] as string[]);
vi.mock('@node-rs/argon2', async (original) => {
  const argon2 = await original<typeof import('@node-rs/argon2')>();
  return {
    ...argon2,
    verify: (stored: string, password: string) => {
      argon2Verifications.push(password);
      return argon2.verify(stored, password);
    },
  };
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const post = (url: string, payload: unknown, extra: Record<string, unknown> = {}) =>
  t.http.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, ...extra });
const me = (token: string) =>
  t.http.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
const countUsers = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from identity.users`.execute(t.kernel.db.k)).rows[0]?.n);
const outbox = async (type: string) =>
  (
    await sql<{
      payload: Record<string, unknown>;
    }>`select payload from platform.outbox where type = ${type} order by id`.execute(t.kernel.db.k)
  ).rows.map((r) => r.payload);
/** The single-use token an account token event carries sealed (as the notifications module opens it). */
const tokenOf = async (payload: Record<string, unknown>) =>
  (await t.kernel.privacy.dataKeys.open(ACCOUNT_TOKEN_FIELD, payload.tokenSealed as string)) as string;

describe('registration [REQ-IDN-001]', () => {
  it('[REQ-IDN-001] register → 201 with user and tokens; email is trimmed and lower-cased', async () => {
    const raw = `  Ada.${Date.now()}@Example.COM `;
    const res = await post('/v1/auth/register', { email: raw, password: TEST_PASSWORD, name: 'Ada Lovelace' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toEqual({
      id: expect.stringMatching(/^usr_/),
      email: raw.trim().toLowerCase(),
      name: 'Ada Lovelace',
    });
    expect(body.expiresIn).toBe(900);
    expect(body.refreshToken).toMatch(/^rt_/);
    const m = await me(body.accessToken);
    expect(m.statusCode).toBe(200);
    expect(m.json()).toMatchObject({
      id: body.user.id,
      email: raw.trim().toLowerCase(),
      emailVerified: false,
      roles: [],
    });
    const registered = await outbox('identity.user.registered');
    expect(registered.at(-1)).toEqual({ userId: body.user.id });
  });

  it('[REQ-IDN-001] the same email in another case → 409 identity.email_taken, nothing created', async () => {
    const email = uniqueEmail('dup');
    await registerCustomer(t, { email });
    const before = await countUsers();
    const res = await post('/v1/auth/register', { email: email.toUpperCase(), password: TEST_PASSWORD });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('identity.email_taken');
    expect(await countUsers()).toBe(before);
  });

  it('[REQ-IDN-001] short and common passwords → 422 identity.weak_password, nothing created', async () => {
    const before = await countUsers();
    for (const password of ['short9chr', 'Password123', 'qwertyuiop']) {
      const res = await post('/v1/auth/register', { email: uniqueEmail('weak'), password });
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('identity.weak_password');
    }
    expect(await countUsers()).toBe(before);
  });

  it('[REQ-IDN-001] malformed email → 400, nothing created', async () => {
    const before = await countUsers();
    const res = await post('/v1/auth/register', { email: 'not-an-email', password: TEST_PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(await countUsers()).toBe(before);
  });
});

describe('login [REQ-IDN-002]', () => {
  it('[REQ-IDN-002] right password → 200 same shape; wrong password and unknown email → the same 401', async () => {
    const c = await registerCustomer(t, { name: 'Bo' });
    const ok = await post('/v1/auth/login', { email: c.email.toUpperCase(), password: TEST_PASSWORD });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toEqual({ id: c.userId, email: c.email, name: 'Bo' });
    const wrong = await post('/v1/auth/login', { email: c.email, password: 'wrong-password-1' });
    const unknown = await post('/v1/auth/login', { email: uniqueEmail('nobody'), password: 'wrong-password-1' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().code).toBe('identity.invalid_credentials');
    expect(unknown.json().detail).toBe(wrong.json().detail);
  });

  it('[REQ-IDN-002] unknown emails take about as long as known ones (a dummy hash is verified)', async () => {
    const c = await registerCustomer(t);
    // argon2 dominates both paths, so each must verify exactly one hash; without the dummy hash an unknown email
    // would verify none and answer about 100× faster. Counted, not timed: a wall-clock ratio failed on a loaded machine.
    const verifications = async (email: string) => {
      const before = argon2Verifications.length;
      const res = await post('/v1/auth/login', { email, password: 'wrong-password-2' });
      expect([res.statusCode, res.json().code]).toEqual([401, 'identity.invalid_credentials']);
      return argon2Verifications.slice(before);
    };
    await verifications(uniqueEmail('warm')); // the dummy hash is made on first use
    expect(await verifications(c.email)).toEqual(['wrong-password-2']);
    expect(await verifications(uniqueEmail('ghost'))).toEqual(['wrong-password-2']);
  });
});

describe('access tokens [REQ-IDN-003]', () => {
  it('[REQ-IDN-003] tampered, wrong-audience, wrong-issuer, foreign-key and expired tokens → 401', async () => {
    const c = await registerCustomer(t);
    const [h, p, s] = c.accessToken.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'usr_someone_else' })).toString('base64url')}.${s}`;
    const key = t.identity.signingKeys()[0];
    if (!key?.privateKey) throw new Error('no key');
    const sign = (claims: { aud?: string; iss?: string; exp?: number }, privateKey = key.privateKey, kid = key.kid) =>
      new SignJWT({ sid: payload.sid })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
        .setSubject(c.userId)
        .setIssuer(claims.iss ?? 'emporium')
        .setAudience(claims.aud ?? ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
        .sign(privateKey as never);
    const foreign = generateKeyPairSync('ed25519').privateKey;
    const cases = {
      tampered,
      wrongAudience: await sign({ aud: 'another-api' }),
      wrongIssuer: await sign({ iss: 'evil' }),
      foreignKey: await sign({}, foreign),
      expired: await sign({ exp: Math.floor(Date.now() / 1000) - 60 }),
      garbage: 'not.a.jwt',
    };
    expect((await me(await sign({}))).statusCode).toBe(200); // the control: a well-formed token works
    for (const [name, token] of Object.entries(cases)) {
      const res = await me(token);
      expect([name, res.statusCode, res.json().code]).toEqual([name, 401, 'auth.unauthorized']);
    }
    expect((await me(cases.expired)).json().detail).toBe('The access token has expired.');
  });

  it('[REQ-IDN-003] JWKS lists the EdDSA public key with its kid; after rotation old tokens still work', async () => {
    const c = await registerCustomer(t);
    const before = (await t.http.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(before.keys).toHaveLength(1);
    expect(before.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      kid: t.identity.signingKeys()[0]?.kid,
    });
    expect(before.keys[0].d).toBeUndefined();
    t.identity.rotateSigningKey();
    const after = (await t.http.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(after.keys.map((k: { kid: string }) => k.kid)).toEqual([
      t.identity.signingKeys()[0]?.kid,
      before.keys[0].kid,
    ]);
    expect((await me(c.accessToken)).statusCode).toBe(200);
    const fresh = await post('/v1/auth/login', { email: c.email, password: TEST_PASSWORD });
    const header = JSON.parse(Buffer.from(fresh.json().accessToken.split('.')[0], 'base64url').toString());
    expect(header.kid).toBe(after.keys[0].kid);
  });
});

describe('refresh tokens [REQ-IDN-004]', () => {
  it('[REQ-IDN-004] refresh rotates; reusing a spent token revokes the whole family', async () => {
    const c = await registerCustomer(t);
    const r1 = await post('/v1/auth/refresh', { refreshToken: c.refreshToken });
    expect(r1.statusCode).toBe(200);
    const t1 = r1.json();
    expect(t1.refreshToken).not.toBe(c.refreshToken);
    expect((await me(t1.accessToken)).statusCode).toBe(200);
    // Replay of the first (spent) token: refused, and the family is revoked.
    const replay = await post('/v1/auth/refresh', { refreshToken: c.refreshToken });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('identity.invalid_refresh_token');
    expect((await post('/v1/auth/refresh', { refreshToken: t1.refreshToken })).statusCode).toBe(401);
    expect((await me(t1.accessToken)).statusCode).toBe(401);
    expect((await me(c.accessToken)).statusCode).toBe(401);
    const audit = await sql<{
      n: string;
    }>`select count(*) as n from identity.audit_log where action = 'session.refresh_reuse_detected'`.execute(
      t.kernel.db.k,
    );
    expect(Number(audit.rows[0]?.n)).toBeGreaterThanOrEqual(1);
  });

  it('[REQ-IDN-004] logout revokes the session: its refresh and access tokens stop working', async () => {
    const c = await registerCustomer(t);
    const other = await post('/v1/auth/login', { email: c.email, password: TEST_PASSWORD });
    const res = await post('/v1/auth/logout', { refreshToken: c.refreshToken });
    expect(res.statusCode).toBe(204);
    expect((await post('/v1/auth/refresh', { refreshToken: c.refreshToken })).statusCode).toBe(401);
    expect((await me(c.accessToken)).statusCode).toBe(401);
    // Another session of the same user is untouched.
    expect((await me(other.json().accessToken)).statusCode).toBe(200);
    expect((await post('/v1/auth/logout', { refreshToken: c.refreshToken })).statusCode).toBe(204);
  });
});

describe('lockout [REQ-IDN-005]', () => {
  it('[REQ-IDN-005] 5 failures lock the account: 429 with Retry-After, even with the right password', async () => {
    const c = await registerCustomer(t);
    const ip = { remoteAddress: '10.1.0.1' };
    for (let i = 0; i < 5; i++) {
      expect((await post('/v1/auth/login', { email: c.email, password: `wrong-pass-${i}x` }, ip)).statusCode).toBe(401);
    }
    const locked = await post(
      '/v1/auth/login',
      { email: c.email, password: TEST_PASSWORD },
      { remoteAddress: '10.1.0.2' },
    );
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('identity.login_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(20);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(30);
    const audit = await sql<{ action: string; detail: Record<string, unknown> }>`
      select action, detail from identity.audit_log where subject_id = ${c.userId} and action like 'login.%' order by id`.execute(
      t.kernel.db.k,
    );
    expect(audit.rows.map((r) => r.action)).toEqual([...Array(5).fill('login.failed'), 'login.locked_out']);
    expect(audit.rows[5]?.detail).toEqual({ scope: 'account', failures: 5, lockSeconds: 30 });
    // The lock grows: after it ends, the next failure locks for twice as long.
    await sql`update identity.login_throttle set locked_until = now() - interval '1 second' where locked_until is not null`.execute(
      t.kernel.db.k,
    );
    await post('/v1/auth/login', { email: c.email, password: 'wrong-again-123' }, ip);
    const again = await post('/v1/auth/login', { email: c.email, password: TEST_PASSWORD }, ip);
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(30);
  });

  it('[REQ-IDN-005] 30 failures from one IP lock that IP for every account; other IPs still sign in', async () => {
    const c = await registerCustomer(t);
    const ip = { remoteAddress: '10.2.0.1' };
    for (let i = 0; i < 30; i++)
      await post('/v1/auth/login', { email: uniqueEmail('spray'), password: 'wrong-pass-spray' }, ip);
    const blocked = await post('/v1/auth/login', { email: c.email, password: TEST_PASSWORD }, ip);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      (await post('/v1/auth/login', { email: c.email, password: TEST_PASSWORD }, { remoteAddress: '10.2.0.2' }))
        .statusCode,
    ).toBe(200);
  });
});

describe('password reset and email verification [REQ-IDN-006]', () => {
  it('[REQ-IDN-006] reset: same 202 for known and unknown emails; the token works once and ends all sessions', async () => {
    const c = await registerCustomer(t);
    const before = (await outbox('identity.user.password_reset_requested')).length;
    const unknown = await post('/v1/auth/password-reset', { email: uniqueEmail('nobody') });
    const known = await post('/v1/auth/password-reset', { email: c.email });
    expect([unknown.statusCode, unknown.body]).toEqual([202, '{"accepted":true}']);
    expect([known.statusCode, known.body]).toEqual([202, '{"accepted":true}']);
    const events = await outbox('identity.user.password_reset_requested');
    expect(events).toHaveLength(before + 1);
    const event = events.at(-1) as { userId: string; expiresAt: string; tokenSealed: string; token: string };
    expect(Object.keys(event).sort()).toEqual(['expiresAt', 'tokenSealed', 'userId']);
    expect(event.userId).toBe(c.userId);
    event.token = await tokenOf(event);
    expect(event.token).toMatch(/^pr_/);
    const weak = await post('/v1/auth/password-reset/confirm', { token: event.token, password: 'short' });
    expect(weak.statusCode).toBe(422);
    const ok = await post('/v1/auth/password-reset/confirm', {
      token: event.token,
      password: 'a-brand-new-passphrase',
    });
    expect(ok.statusCode).toBe(204);
    expect((await me(c.accessToken)).statusCode).toBe(401);
    const again = await post('/v1/auth/password-reset/confirm', {
      token: event.token,
      password: 'another-new-passphrase',
    });
    expect([again.statusCode, again.json().code]).toEqual([400, 'identity.invalid_token']);
    expect((await post('/v1/auth/login', { email: c.email, password: TEST_PASSWORD })).statusCode).toBe(401);
    expect((await post('/v1/auth/login', { email: c.email, password: 'a-brand-new-passphrase' })).statusCode).toBe(200);
  });

  it('[REQ-IDN-006] verify-email: the token from the registration event verifies once; a bad token → 400', async () => {
    const c = await registerCustomer(t);
    const payload = (await outbox('identity.user.email_verification_requested')).find((e) => e.userId === c.userId);
    const event = { token: await tokenOf(payload as Record<string, unknown>) };
    expect((await post('/v1/auth/verify-email', { token: 'ev_forged' })).statusCode).toBe(400);
    expect((await me(c.accessToken)).json().emailVerified).toBe(false);
    expect((await post('/v1/auth/verify-email', { token: event.token })).statusCode).toBe(204);
    expect((await me(c.accessToken)).json().emailVerified).toBe(true);
    const reuse = await post('/v1/auth/verify-email', { token: event.token });
    expect([reuse.statusCode, reuse.json().code]).toEqual([400, 'identity.invalid_token']);
  });
});
