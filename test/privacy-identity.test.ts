// Identity's personal data at rest, in events and in logs: sealed under the account's data key, tokens never in
// plaintext, crypto-shredding on erasure, audit retention.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../src/modules/identity/identity.jobs.ts';
import { ACCOUNT_TOKEN_FIELD } from '../src/modules/identity/index.ts';
import { createStaff, TEST_PASSWORD } from './support/auth.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';

let t: TestApp;
const logs: string[] = [];
beforeAll(async () => {
  t = await createTestApp({
    env: { RETENTION_AUDIT_DAYS: '30', LOG_LEVEL: 'debug' },
    logStream: { write: (line: string) => void logs.push(line) },
  });
});
afterAll(async () => {
  await t?.close();
});

const IP = '203.0.113.77';
const AGENT = 'QuixoteBrowser/9.9';
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token?: string) =>
  t.http.inject({
    method,
    url,
    remoteAddress: IP,
    headers: { 'user-agent': AGENT, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
const rows = async (query: ReturnType<typeof sql>) =>
  (await query.execute(t.kernel.db.k)).rows as Record<string, unknown>[];
const events = async (userId: string) =>
  (await rows(sql`select type, payload from platform.outbox where aggregate_id = ${userId} order by id`)) as {
    type: string;
    payload: Record<string, unknown>;
  }[];
const openToken = (sealed: unknown) => t.kernel.privacy.dataKeys.open(ACCOUNT_TOKEN_FIELD, sealed as string);

/** Registers a person with distinctive personal data and walks the identity flows that store some of it. */
async function distinctivePerson() {
  const tag = randomBytes(4).toString('hex');
  const person = {
    email: `zebulon.quixote.${tag}@example.org`,
    name: `Zebulon Quixote Farnsworth ${tag}`,
    phone: `+44 7700 9${tag.slice(0, 5)}`,
    line1: `77 Marigold Crescent ${tag}`,
    postalCode: `QX${tag.slice(0, 4)}`,
  };
  const reg = await call('POST', '/v1/auth/register', {
    email: person.email,
    password: TEST_PASSWORD,
    name: person.name,
  });
  expect(reg.statusCode).toBe(201);
  const { user, accessToken, refreshToken } = reg.json() as {
    user: { id: string };
    accessToken: string;
    refreshToken: string;
  };
  expect((await call('PATCH', '/v1/me', { phone: person.phone }, accessToken)).statusCode).toBe(200);
  const address = {
    name: person.name,
    line1: person.line1,
    city: 'Llanfairpwll',
    postalCode: person.postalCode,
    country: 'GB',
    phone: person.phone,
  };
  expect((await call('POST', '/v1/me/addresses', address, accessToken)).statusCode).toBe(201);
  expect((await call('POST', '/v1/auth/login', { email: person.email, password: 'not-the-password' })).statusCode).toBe(
    401,
  );
  expect(
    (await call('POST', '/v1/auth/login', { email: `nobody.${tag}@example.org`, password: 'x-wrong-pass' })).statusCode,
  ).toBe(401);
  const login = await call('POST', '/v1/auth/login', { email: person.email, password: TEST_PASSWORD });
  expect(login.statusCode).toBe(200);
  expect((await call('POST', '/v1/auth/password-reset', { email: person.email })).statusCode).toBe(202);
  const refreshed = await call('POST', '/v1/auth/refresh', { refreshToken });
  expect(refreshed.statusCode).toBe(200);
  expect((await call('POST', '/v1/auth/logout', { refreshToken: refreshed.json().refreshToken })).statusCode).toBe(204);
  return {
    ...person,
    userId: user.id,
    accessToken: login.json().accessToken as string,
    refreshTokens: [refreshToken, refreshed.json().refreshToken as string],
  };
}

describe('identity personal data at rest [REQ-PRV-300] [REQ-PRV-301] [REQ-PRV-302]', () => {
  it('[REQ-PRV-300] [REQ-PRV-301] [REQ-PRV-302] no name, email, phone, address, IP, user agent or token in any identity row or outbox event', async () => {
    const p = await distinctivePerson();
    const sent = await events(p.userId);
    expect(sent.map((e) => e.type)).toEqual([
      'identity.user.registered',
      'identity.user.email_verification_requested',
      'identity.user.password_reset_requested',
    ]);
    expect(sent[0]?.payload).toEqual({ userId: p.userId });
    const tokens: string[] = [];
    for (const e of sent.slice(1)) {
      expect(Object.keys(e.payload).sort()).toEqual(['expiresAt', 'tokenSealed', 'userId']);
      expect(e.payload.tokenSealed).toMatch(/^s1\.dk_/);
      tokens.push((await openToken(e.payload.tokenSealed)) ?? 'unopened');
    }
    expect(tokens.map((x) => x.slice(0, 3))).toEqual(['ev_', 'pr_']);
    // The verification token that the event carries works.
    expect((await call('POST', '/v1/auth/verify-email', { token: tokens[0] })).statusCode).toBe(204);

    const secrets = [
      p.email,
      p.name,
      'Zebulon',
      'Farnsworth',
      p.phone,
      p.line1,
      p.postalCode,
      IP,
      AGENT,
      TEST_PASSWORD,
      ...tokens,
      ...p.refreshTokens,
    ];
    const tables = (
      await rows(sql`select table_name from information_schema.tables where table_schema = 'identity'`)
    ).map((r) => r.table_name as string);
    expect(tables.length).toBeGreaterThanOrEqual(8);
    const dumps: [string, string][] = [];
    for (const table of tables)
      dumps.push([table, JSON.stringify(await rows(sql`select * from ${sql.table(`identity.${table}`)}`))]);
    dumps.push(['platform.outbox', JSON.stringify(await rows(sql`select * from platform.outbox`))]);
    for (const [table, dump] of dumps) {
      for (const s of secrets)
        expect([table, s, dump.toLowerCase().includes(s.toLowerCase())]).toEqual([table, s, false]);
    }
    // Sealed under the account's data key, and the API still reads everything.
    const user = (await rows(sql`select email_enc, name_enc, phone_enc from identity.users where id = ${p.userId}`))[0];
    expect(Object.values(user ?? {}).map((v) => String(v).slice(0, 6))).toEqual(['s1.dk_', 's1.dk_', 's1.dk_']);
    const audit = await rows(
      sql`select action, ip, ip_sealed from identity.audit_log where subject_id = ${p.userId} order by id`,
    );
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(audit.every((a) => a.ip === null && String(a.ip_sealed).startsWith('s1.dk_'))).toBe(true);
    const me = (await call('GET', '/v1/me', undefined, p.accessToken)).json();
    expect([me.email, me.name, me.phone]).toEqual([p.email, p.name, p.phone]);
    const admin = await createStaff(t, 'admin');
    const log = (
      await t.http.inject({ method: 'GET', url: `/v1/admin/audit-log?subjectId=${p.userId}`, headers: admin.headers })
    ).json();
    expect(log.items.map((i: { ip: string }) => i.ip)).toContain(IP);
  });

  it('[REQ-PRV-302] no log line (debug level, request logs included) carries the email, name, phone, address or a token', async () => {
    const from = logs.length;
    const p = await distinctivePerson();
    const tokens = await Promise.all((await events(p.userId)).slice(1).map((e) => openToken(e.payload.tokenSealed)));
    const text = logs.slice(from).join('\n').toLowerCase();
    expect(text).toContain('/v1/auth/register');
    for (const s of [p.email, p.name, p.phone, p.line1, ...tokens.map(String), ...p.refreshTokens]) {
      expect([s, text.includes(s.toLowerCase())]).toEqual([s, false]);
    }
  });
});

describe('crypto-shredding reaches identity [REQ-PRV-303]', () => {
  it('[REQ-PRV-303] after erasure and the shredding of user:<id>, sealed IPs and event tokens open to nothing, and no new key appears for the account', async () => {
    const p = await distinctivePerson();
    const sent = await events(p.userId);
    expect((await call('DELETE', '/v1/me', undefined, p.accessToken)).statusCode).toBe(204);
    await t.kernel.privacy.dataKeys.shred(t.kernel.db.k, [`user:${p.userId}`]);
    const keys = async () =>
      Number(
        (await rows(sql`select count(*) as n from privacy.data_keys where subject = ${`user:${p.userId}`}`))[0]?.n,
      );
    expect(await keys()).toBe(0);
    for (const e of sent.slice(1)) expect(await openToken(e.payload.tokenSealed)).toBeNull();
    const sessions = await rows(sql`select ip_sealed from identity.sessions where user_id = ${p.userId}`);
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions)
      expect(await t.kernel.privacy.dataKeys.open('sessions.ip', s.ip_sealed as string)).toBeNull();
    const admin = await createStaff(t, 'admin');
    const log = (
      await t.http.inject({ method: 'GET', url: `/v1/admin/audit-log?subjectId=${p.userId}`, headers: admin.headers })
    ).json();
    const own = log.items.filter((i: { action: string }) => i.action !== 'user.erased');
    expect(own.length).toBeGreaterThanOrEqual(2);
    expect(own.map((i: { ip: string | null }) => i.ip)).toEqual(own.map(() => null));
    // Later work on the erased account (a second erasure, the rotation parts, a password reset) creates no new key.
    expect(
      (await t.http.inject({ method: 'DELETE', url: `/v1/admin/users/${p.userId}`, headers: admin.headers }))
        .statusCode,
    ).toBe(204);
    expect((await call('POST', '/v1/auth/password-reset', { email: p.email })).statusCode).toBe(202);
    const identity = t.kernel.privacy.contributors.find((c) => c.name === 'identity');
    for (const part of identity?.rotation ?? []) while ((await part.batch(100)) > 0);
    expect(await keys()).toBe(0);
  });
});

describe('audit retention [REQ-PRV-305]', () => {
  it('[REQ-PRV-305] the retention job deletes audit entries older than RETENTION_AUDIT_DAYS and keeps younger ones', async () => {
    const p = await distinctivePerson();
    const ids = (await rows(sql`select id from identity.audit_log where subject_id = ${p.userId} order by id`)).map(
      (r) => r.id as string,
    );
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const [old, young] = ids;
    await sql`update identity.audit_log set at = now() - interval '31 days' where id = ${old}`.execute(t.kernel.db.k);
    await sql`update identity.audit_log set at = now() - interval '29 days' where id = ${young}`.execute(t.kernel.db.k);
    const r = await runRetention(t.identity.deps);
    expect(r.auditEntries).toBe(1);
    const left = (await rows(sql`select id from identity.audit_log where subject_id = ${p.userId} order by id`)).map(
      (x) => x.id,
    );
    expect(left).toEqual(ids.slice(1));
    expect((await runRetention(t.identity.deps)).auditEntries).toBe(0);
  });
});
