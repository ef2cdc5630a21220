import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventsDb, quietLogger } from '../../../test/support/events-harness.ts';
import type { TestDb } from '../../../test/support/test-db.ts';
import { systemCtx } from '../context.ts';
import type { Db } from '../db/db.ts';
import { openPostgres } from '../db/postgres.ts';
import { subjects } from './data-keys.ts';
import { canonicalEmail, personIndex, personIndexCandidates } from './email.ts';
import { createErasures } from './erasure.ts';
import type { EncryptionKeyring } from './keyring.ts';
import { createPrivacy, type DataSubject } from './privacy.ts';
import { createKeyRotation } from './rotation.ts';

let t: TestDb;
const pools: Db[] = [];
beforeAll(async () => {
  t = await openEventsDb();
});
afterAll(async () => {
  for (const p of pools) await p.close();
  await t?.dispose();
});

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring = (active: 'k1' | 'k2'): EncryptionKeyring => ({
  activeId: active,
  keys: new Map(
    active === 'k1'
      ? [['k1', k1]]
      : [
          ['k1', k1],
          ['k2', k2],
        ],
  ),
});
/** Another process: its own pool on PostgreSQL (one connection on PGlite), its own key cache. */
async function processDb(): Promise<Db> {
  if (!t.url) return t.db;
  const db = await openPostgres({ url: t.url, max: 4 });
  pools.push(db);
  return db;
}

describe('per-subject data keys [REQ-PRV-002]', () => {
  it('[REQ-PRV-002] concurrent first uses of a subject in many processes converge on one data key', async () => {
    const subject = subjects.user(`usr_race_${randomBytes(4).toString('hex')}`);
    const processes = await Promise.all(Array.from({ length: 4 }, processDb));
    const keys = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        createPrivacy(ring('k1'), (processes[i % 4] as Db).k).dataKeys.forSubject(subject),
      ),
    );
    expect(new Set(keys.map((k) => k.id)).size).toBe(1);
    const rows = await t.db.k.selectFrom('privacy.data_keys').selectAll().where('subject', '=', subject).execute();
    expect(rows).toHaveLength(1);
    // Stored only wrapped by the master key: the raw key bytes are nowhere in the row.
    expect(JSON.stringify(rows)).not.toContain(keys[0]?.key.toString('base64'));
  });

  it('[REQ-PRV-002] sealed values open only for their field, and not at all once the subject is shredded', async () => {
    const p = createPrivacy(ring('k1'), t.db.k);
    const subject = subjects.guest(personIndex(p.pii, 'shred.me@example.com'));
    const key = await p.dataKeys.forSubject(subject);
    const sealed = p.dataKeys.seal(key, 'orders.email', 'shred.me@example.com');
    expect(sealed).toMatch(/^s1\.dk_/);
    expect(sealed).not.toContain('shred');
    expect(await p.dataKeys.open('orders.email', sealed)).toBe('shred.me@example.com');
    await expect(p.dataKeys.open('carts.email', sealed)).rejects.toThrow();
    // A fresh process (empty cache) opens it from the stored, wrapped key.
    const other = createPrivacy(ring('k1'), t.db.k);
    expect(await other.dataKeys.open('orders.email', sealed)).toBe('shred.me@example.com');

    expect(await p.dataKeys.shred(t.db.k, [subject])).toBe(1);
    expect(await p.dataKeys.open('orders.email', sealed)).toBeNull();
    expect(await createPrivacy(ring('k1'), t.db.k).dataKeys.open('orders.email', sealed)).toBeNull();
    // The subject may come back later (a new order): it gets a new key, which cannot open the old values.
    const again = await createPrivacy(ring('k1'), t.db.k).dataKeys.forSubject(subject);
    expect(again.id).not.toBe(key.id);
  });

  it('[REQ-PRV-002] a key not in memory opens inside a transaction through that transaction (one PGlite connection)', async () => {
    const writer = createPrivacy(ring('k1'), t.db.k);
    const key = await writer.dataKeys.forSubject(subjects.user(`usr_tx_${randomBytes(4).toString('hex')}`));
    const sealed = writer.dataKeys.seal(key, 'returns.reason', 'too small');
    const fresh = createPrivacy(ring('k1'), t.db.k); // a restarted process: nothing cached
    const opened = await t.db.transaction((tx) => fresh.dataKeys.open('returns.reason', sealed, tx));
    expect(opened).toBe('too small');
  });
});

describe('email normalisation [REQ-PRV-007]', () => {
  it('[REQ-PRV-007] case, surrounding spaces and a +tag do not make another person; dots do', () => {
    expect(canonicalEmail('  Ann.Lee+Shop@Example.COM ')).toBe('ann.lee@example.com');
    expect(canonicalEmail('ann.lee@example.com')).toBe('ann.lee@example.com');
    expect(canonicalEmail('annlee@example.com')).not.toBe(canonicalEmail('ann.lee@example.com'));
    expect(canonicalEmail('+only@example.com')).toBe('+only@example.com');
    const p = createPrivacy(ring('k2'), t.db.k);
    expect(personIndex(p.pii, 'Ann+x@example.com')).toBe(personIndex(p.pii, 'ann@EXAMPLE.com'));
    expect(personIndexCandidates(p.pii, 'ann@example.com')).toHaveLength(2);
  });
});

describe('key rotation [REQ-PRV-004]', () => {
  it('[REQ-PRV-004] re-wraps every data key under the new master key, reports progress, and values still open', async () => {
    const before = createPrivacy(ring('k1'), t.db.k);
    const sealed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const key = await before.dataKeys.forSubject(subjects.user(`usr_rot_${i}_${randomBytes(3).toString('hex')}`));
      sealed.push(before.dataKeys.seal(key, 'users.name', `Rotating Person ${i}`));
    }
    const after = createPrivacy(ring('k2'), t.db.k);
    const rotation = createKeyRotation({ db: t.db, privacy: after, logger: quietLogger });
    const start = await rotation.progress();
    expect(start.activeKeyId).toBe('k2');
    expect(start.complete).toBe(false);
    expect(start.parts.find((p) => p.name === 'privacy.data_keys')?.remaining).toBeGreaterThanOrEqual(5);
    await rotation.run(60_000);
    const done = await rotation.progress();
    expect(done).toMatchObject({ remaining: 0, complete: true });
    // Only the new master key is needed now.
    const onlyK2 = createPrivacy({ activeId: 'k2', keys: new Map([['k2', k2]]) }, t.db.k);
    for (const [i, s] of sealed.entries())
      expect(await onlyK2.dataKeys.open('users.name', s)).toBe(`Rotating Person ${i}`);
  });
});

describe('erasure across modules [REQ-PRV-003]', () => {
  it('[REQ-PRV-003] a failing module leaves the erasure pending; a rerun finishes only what is left, then shreds', async () => {
    const p = createPrivacy(ring('k1'), t.db.k);
    const calls: string[] = [];
    let failOnce = true;
    p.register({
      name: 'alpha',
      async eraseFor(_ctx, s: DataSubject) {
        calls.push(`alpha:${s.userId}`);
        return 2;
      },
    });
    p.register({
      name: 'beta',
      async eraseFor() {
        calls.push('beta');
        if (failOnce) {
          failOnce = false;
          throw new Error('beta is down');
        }
        return 3;
      },
    });
    const userId = `usr_era_${randomBytes(4).toString('hex')}`;
    const key = await p.dataKeys.forSubject(subjects.user(userId));
    const sealed = p.dataKeys.seal(key, 'users.name', 'Erased Person');
    const erasures = createErasures({ db: t.db, privacy: p, logger: quietLogger });

    const first = await erasures.erase(systemCtx('test'), { userId, emailIndexes: [] }, 'customer asked');
    expect(first).toMatchObject({ status: 'pending', stepsDone: ['alpha'], recordsErased: 2, attempts: 1 });
    expect(first.lastError).toContain('beta is down');
    expect(first.requestedBy).toBe('system:test');
    expect(await p.dataKeys.open('users.name', sealed)).toBe('Erased Person');

    const second = await erasures.run(systemCtx('test'), first.id);
    expect(second).toMatchObject({ status: 'done', stepsDone: ['alpha', 'beta', 'data_keys'], recordsErased: 6 });
    expect(calls).toEqual([`alpha:${userId}`, 'beta', 'beta']);
    expect(await p.dataKeys.open('users.name', sealed)).toBeNull();
    // Done is final: running it again changes nothing.
    expect(await erasures.run(systemCtx('test'), first.id)).toEqual(second);
    expect(calls).toHaveLength(3);
  });
});
