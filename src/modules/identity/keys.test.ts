import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { PLATFORM_MIGRATIONS } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';
import { systemCtx } from '../../platform/context.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createLogger } from '../../platform/observability/logger.ts';
import { loadEncryptionKeys } from '../../platform/privacy/keyring.ts';
import { createPii } from '../../platform/privacy/pii.ts';
import { createKeyRotation } from '../../platform/privacy/rotation.ts';
import { createIdentityModule } from './module.ts';
import { loadSigningKeys } from './secrets.ts';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};

describe('field encryption [REQ-IDN-011]', () => {
  it('[REQ-IDN-011] AES-256-GCM values carry their key id, differ each time and refuse another field or a changed byte', () => {
    const pii = createPii({ activeId: 'k1', keys: new Map([['k1', Buffer.from(k1, 'base64')]]) });
    const a = pii.encrypt('users.name', 'Ada');
    expect(a).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(pii.encrypt('users.name', 'Ada')).not.toBe(a);
    expect(pii.decrypt('users.name', a)).toBe('Ada');
    expect(() => pii.decrypt('users.phone', a)).toThrow();
    // Change the second-to-last character (its bits are all data, unlike the last one's) to a different one.
    const flipped = `${a.slice(0, -2)}${a.at(-2) === 'A' ? 'B' : 'A'}${a.slice(-1)}`;
    expect(flipped).not.toBe(a);
    expect(() => pii.decrypt('users.name', flipped)).toThrow();
    expect(pii.blindIndex('ada@example.com')).toBe(pii.blindIndex('ada@example.com'));
    expect(pii.blindIndex('ada@example.com')).not.toContain('ada');
  });
});

describe('key material [REQ-IDN-014]', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'emp-secrets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('[REQ-IDN-014] embedded mode generates keys once under DATA_DIR/secrets with mode 0600 and reuses them', () => {
    const config = loadConfig({ DATA_DIR: dir });
    const first = loadSigningKeys(config);
    const ring = loadEncryptionKeys(config);
    for (const f of ['jwt-keys.json', 'encryption-keys.json']) {
      expect(statSync(join(dir, 'secrets', f)).mode & 0o777).toBe(0o600);
    }
    expect(loadSigningKeys(config)[0]?.kid).toBe(first[0]?.kid);
    expect(
      loadEncryptionKeys(config)
        .keys.get('k1')
        ?.equals(ring.keys.get('k1') as Buffer),
    ).toBe(true);
    expect(readFileSync(join(dir, 'secrets', 'jwt-keys.json'), 'utf8')).toContain('PRIVATE KEY');
  });

  it('[REQ-IDN-014] test mode and in-memory databases never write keys', () => {
    const memDir = join(dir, 'mem');
    loadSigningKeys(loadConfig({ DATA_DIR: memDir, DATABASE_URL: 'memory://' }));
    loadSigningKeys(loadConfig({ DATA_DIR: memDir, NODE_ENV: 'test' }));
    expect(() => statSync(memDir)).toThrow();
  });

  it('[REQ-IDN-014] configured PEM keys are used; JWT_PREVIOUS_PUBLIC_KEYS stay valid for verification', () => {
    const cur = pem();
    const prev = pem();
    const config = loadConfig({
      JWT_PRIVATE_KEY: cur.priv.replace(/\n/g, '\\n'),
      JWT_PUBLIC_KEY: cur.pub,
      JWT_PREVIOUS_PUBLIC_KEYS: prev.pub.replace(/\n/g, '\\n'),
    });
    expect(config.jwt.previousPublicKeys).toHaveLength(1);
    const keys = loadSigningKeys(config);
    expect(keys).toHaveLength(2);
    expect(keys[0]?.privateKey).toBeDefined();
    expect(keys[1]?.privateKey).toBeUndefined();
    expect(() => loadConfig({ JWT_PREVIOUS_PUBLIC_KEYS: 'not a pem' })).toThrow(/JWT_PREVIOUS_PUBLIC_KEYS/);
  });

  it('[REQ-IDN-014] the last ENCRYPTION_KEYS entry is active', () => {
    const ring = loadEncryptionKeys(loadConfig({ ENCRYPTION_KEYS: `old:${k1},new:${k2}` }));
    expect(ring.activeId).toBe('new');
    expect(ring.keys.size).toBe(2);
  });
});

describe('key rotation of personal data [REQ-IDN-015]', () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await openTestDb();
  });
  afterAll(async () => {
    await testDb?.dispose();
  });

  it('[REQ-IDN-015] [REQ-PRV-304] the rotation moves master-key values and plaintext IPs of older versions to the data key, recomputes blind indexes; only the new key is needed after', async () => {
    const logger = createLogger('silent');
    const make = (keys: string) =>
      createIdentityModule({
        kernel: { db: testDb.db, logger, config: loadConfig({ NODE_ENV: 'test', ENCRYPTION_KEYS: keys }) },
      });
    const q = testDb.db.k;
    const before = make(`k1:${k1}`);
    await migrate(testDb.db, [PLATFORM_MIGRATIONS, before.module.migrations as never]);
    const ctx = systemCtx('test');
    const client = { ip: '127.0.0.1' };
    const reg = await before.services.accounts.register(
      ctx,
      { email: 'Rota@Example.com', password: 'rotation-pass-phrase', name: 'Rosa' },
      client,
    );
    const id = reg.user.id;
    const adr = await before.services.profile.addAddress(ctx, id, {
      name: 'Rosa',
      line1: 'Main St 1',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    });
    // Rows as an older version wrote them: master-key (`v1.`) fields, plaintext session and audit IPs.
    const pii = before.deps.pii;
    await sql`update identity.users set name_enc = ${pii.encrypt('users.name', 'Rosa')},
      phone_enc = ${pii.encrypt('users.phone', '+49 30 9999')} where id = ${id}`.execute(q);
    await sql`update identity.addresses set data_enc = ${pii.encrypt(
      'addresses.data',
      JSON.stringify({ ...adr, id: undefined, line1: 'Old St 9' }),
    )}`.execute(q);
    await sql`update identity.sessions set ip = '198.51.100.4', user_agent = 'OldAgent/1', ip_sealed = null,
      user_agent_sealed = null where user_id = ${id}`.execute(q);
    await sql`insert into identity.audit_log (id, action, actor_kind, actor_id, subject_id, ip) values
      ('aud_old1', 'login.succeeded', 'customer', ${id}, ${id}, '198.51.100.4'),
      ('aud_old2', 'login.failed', 'anonymous', null, null, '198.51.100.5')`.execute(q);

    const after = make(`k1:${k1},k2:${k2}`);
    // Before the rotation, old values still open and the old blind index still finds the user.
    expect(
      (
        await after.services.accounts.login(
          ctx,
          { email: 'rota@example.com', password: 'rotation-pass-phrase' },
          client,
        )
      ).user.name,
    ).toBe('Rosa');
    const rotation = createKeyRotation({ db: testDb.db, privacy: after.deps.privacy, logger });
    const progress = await rotation.progress();
    expect(progress.parts.filter((p) => p.module === 'identity')).toEqual([
      { module: 'identity', name: 'identity.users', remaining: 1 },
      { module: 'identity', name: 'identity.addresses', remaining: 1 },
      { module: 'identity', name: 'identity.sessions', remaining: 1 },
      { module: 'identity', name: 'identity.audit_log', remaining: 2 },
    ]);
    expect(await rotation.run(60_000)).toBeGreaterThanOrEqual(5);
    expect((await rotation.progress()).complete).toBe(true);

    const u = (
      await sql<{ email_enc: string; name_enc: string; phone_enc: string; email_index: string }>`
        select email_enc, name_enc, phone_enc, email_index from identity.users where id = ${id}`.execute(q)
    ).rows[0];
    expect([u?.email_enc, u?.name_enc, u?.phone_enc].map((v) => v?.slice(0, 3))).toEqual(['s1.', 's1.', 's1.']);
    expect(u?.email_index.split('.')[0]).toBe('k2');
    const a = (await sql<{ data_enc: string }>`select data_enc from identity.addresses`.execute(q)).rows[0];
    expect(a?.data_enc).toMatch(/^s1\./);
    const sessions = (
      await sql<{ ip: string | null; user_agent: string | null; ip_sealed: string | null }>`
        select ip, user_agent, ip_sealed from identity.sessions where user_id = ${id} order by id`.execute(q)
    ).rows;
    expect(sessions.every((s) => s.ip === null && s.user_agent === null && s.ip_sealed?.startsWith('s1.'))).toBe(true);
    const audit = (
      await sql<{ id: string; ip: string | null; ip_sealed: string | null }>`
        select id, ip, ip_sealed from identity.audit_log where id in ('aud_old1', 'aud_old2') order by id`.execute(q)
    ).rows;
    expect(audit.map((r) => [r.id, r.ip, r.ip_sealed?.slice(0, 6)])).toEqual([
      ['aud_old1', null, 's1.dk_'],
      ['aud_old2', null, 'v1.k2.'],
    ]);

    // Only the new key is needed now.
    const only = make(`k2:${k2}`);
    const me = await only.services.profile.get(ctx, id);
    expect([me.email, me.name, me.phone]).toEqual(['rota@example.com', 'Rosa', '+49 30 9999']);
    expect((await only.services.profile.listAddresses(ctx, id))[0]?.line1).toBe('Old St 9');
    const log = await only.services.staff.auditLog(ctx, { limit: 50 });
    expect(log.items.filter((i) => i.id.startsWith('aud_old')).map((i) => i.ip)).toEqual([
      '198.51.100.5',
      '198.51.100.4',
    ]);
    expect(
      (await only.services.accounts.login(ctx, { email: 'rota@example.com', password: 'rotation-pass-phrase' }, client))
        .user.id,
    ).toBe(id);
  });
});
