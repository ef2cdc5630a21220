// Crypto-shredding: each data subject (an account, or a guest known by email) has its own random AES-256 data
// key, stored only wrapped by the master keyring (privacy.data_keys). Personal fields are sealed under the
// subject's data key as `s1.<dataKeyId>.<iv>.<ciphertext+tag>` with the field's name as associated data.
// Erasing a subject deletes its data keys: every copy of its sealed values — tables, checkout snapshots,
// stored idempotency answers, outbox events, dead letters, database backups — becomes unreadable at once.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AnyDb } from '../db/db.ts';
import { newId } from '../ids.ts';
import type { Pii } from './pii.ts';

/** A subject's data key, unwrapped (held in memory only). */
export interface DataKey {
  id: string;
  subject: string;
  key: Buffer;
}

export interface DataKeys {
  /**
   * The subject's data key, created on first use (concurrent first uses converge on one key). Always created in
   * its own statement outside the caller's transaction: a rolled-back transaction can never leave values sealed
   * under a key that was not stored.
   */
  forSubject(subject: string): Promise<DataKey>;
  /** Seals a value under a data key. */
  seal(key: DataKey, field: string, plaintext: string): string;
  sealJson(key: DataKey, field: string, value: unknown): string;
  /**
   * Opens a sealed value; null when its subject was erased (its key is gone). Inside a transaction pass it as `via`:
   * a key not yet in memory is then read on the transaction's own connection (PGlite has only one).
   */
  open(field: string, sealed: string, via?: AnyDb): Promise<string | null>;
  openJson<T>(field: string, sealed: string, via?: AnyDb): Promise<T | null>;
  /** Loads the keys of many sealed values in one statement (list pages), so `open` needs none after. */
  preload(sealed: readonly (string | null | undefined)[], via?: AnyDb): Promise<void>;
  /** The data key id inside a sealed value. */
  keyIdOf(sealed: string): string | undefined;
  /** Destroys the subjects' data keys (crypto-shredding). Returns how many keys were destroyed. */
  shred(db: AnyDb, subjects: readonly string[]): Promise<number>;
  /** Re-wraps up to `limit` data keys still wrapped under an old master key; returns how many changed. */
  rewrapBatch(db: AnyDb, limit: number): Promise<number>;
  /** Data keys still wrapped under an old master key. */
  staleCount(db: AnyDb): Promise<number>;
}

export function isSealed(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.startsWith('s1.');
}

/** Subject ids: an account, or a guest known only by email (its blind index). */
export const subjects = {
  user: (userId: string) => `user:${userId}`,
  guest: (emailIndex: string) => `email:${emailIndex}`,
};

const MAX_CACHED = 10_000;
const SUBJECT_TTL_MS = 60_000;

export function createDataKeys(pii: Pii, root: AnyDb): DataKeys {
  // Unwrapped keys by id, and subject → key id; bounded, oldest first out. A shred drops its entries here. Another
  // process learns of a shred when its subject entry ages out (SUBJECT_TTL_MS) and the key is not found again.
  const byId = new Map<string, DataKey>();
  const bySubject = new Map<string, { id: string; at: number }>();
  const remember = (k: DataKey) => {
    if (byId.size >= MAX_CACHED) {
      const oldest = byId.keys().next().value as string;
      const old = byId.get(oldest);
      byId.delete(oldest);
      if (old) bySubject.delete(old.subject);
    }
    byId.set(k.id, k);
    bySubject.set(k.subject, { id: k.id, at: Date.now() });
    return k;
  };
  const wrapField = (id: string) => `data_key:${id}`;
  const unwrap = (row: { id: string; subject: string; wrapped: string }): DataKey =>
    remember({
      id: row.id,
      subject: row.subject,
      key: Buffer.from(pii.decrypt(wrapField(row.id), row.wrapped), 'base64'),
    });
  const forget = (ids: Iterable<string>) => {
    for (const id of ids) {
      const k = byId.get(id);
      byId.delete(id);
      if (k && bySubject.get(k.subject)?.id === id) bySubject.delete(k.subject);
    }
  };
  const loadIds = async (ids: string[], via: AnyDb = root) => {
    const missing = [...new Set(ids)].filter((id) => !byId.has(id));
    if (!missing.length) return;
    const rows = await via
      .selectFrom('privacy.data_keys')
      .select(['id', 'subject', 'wrapped'])
      .where('id', 'in', missing)
      .execute();
    for (const r of rows) unwrap(r);
  };

  const api: DataKeys = {
    async forSubject(subject) {
      const entry = bySubject.get(subject);
      const cached = entry && Date.now() - entry.at < SUBJECT_TTL_MS ? byId.get(entry.id) : undefined;
      if (cached) return cached;
      // Insert, or take the key another request created first. The read is a separate statement on purpose: a
      // conflicting insert waits for the other transaction, but the same statement's snapshot would not see its row.
      for (let round = 0; round < 3; round++) {
        const id = newId('dk');
        const wrapped = pii.encrypt(wrapField(id), randomBytes(32).toString('base64'));
        const inserted = await root
          .insertInto('privacy.data_keys')
          .values({ id, subject, wrapped })
          .onConflict((oc: AnyDb) => oc.column('subject').doNothing())
          .returning(['id', 'subject', 'wrapped'])
          .executeTakeFirst();
        const row =
          inserted ??
          (await root
            .selectFrom('privacy.data_keys')
            .select(['id', 'subject', 'wrapped'])
            .where('subject', '=', subject)
            .executeTakeFirst());
        if (row) return unwrap(row);
      }
      throw new Error(`data key for ${subject} could not be created`);
    },

    seal(k, field, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k.key, iv);
      cipher.setAAD(Buffer.from(field));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `s1.${k.id}.${iv.toString('base64url')}.${ct.toString('base64url')}`;
    },
    sealJson: (k, field, value) => api.seal(k, field, JSON.stringify(value)),

    async open(field, sealed, via) {
      const [version, keyId, ivText, ctText] = sealed.split('.');
      if (version !== 's1' || !keyId || !ivText || !ctText) throw new Error('not a sealed value');
      await loadIds([keyId], via);
      const k = byId.get(keyId);
      if (!k) return null;
      const data = Buffer.from(ctText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', k.key, Buffer.from(ivText, 'base64url'));
      decipher.setAAD(Buffer.from(field));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    },
    async openJson<T>(field: string, sealed: string, via?: AnyDb) {
      const text = await api.open(field, sealed, via);
      return text === null ? null : (JSON.parse(text) as T);
    },

    async preload(sealed, via) {
      await loadIds(
        sealed.flatMap((s) => (s ? (api.keyIdOf(s) ?? []) : [])),
        via,
      );
    },
    keyIdOf: (sealed) => (isSealed(sealed) ? sealed.split('.')[1] : undefined),

    async shred(db, list) {
      if (!list.length) return 0;
      const rows = await db
        .deleteFrom('privacy.data_keys')
        .where('subject', 'in', [...list])
        .returning('id')
        .execute();
      forget(rows.map((r: { id: string }) => r.id));
      return rows.length;
    },

    async rewrapBatch(db, limit) {
      const rows = await db
        .selectFrom('privacy.data_keys')
        .select(['id', 'wrapped'])
        .where('wrapped', 'not like', `v1.${pii.activeKeyId}.%`)
        .limit(limit)
        .execute();
      let changed = 0;
      for (const r of rows as { id: string; wrapped: string }[]) {
        const next = pii.encrypt(wrapField(r.id), pii.decrypt(wrapField(r.id), r.wrapped));
        const u = await db
          .updateTable('privacy.data_keys')
          .set({ wrapped: next })
          .where('id', '=', r.id)
          .where('wrapped', '=', r.wrapped)
          .executeTakeFirst();
        changed += Number(u.numUpdatedRows);
      }
      return changed;
    },
    async staleCount(db) {
      const r = await db
        .selectFrom('privacy.data_keys')
        .select((eb: AnyDb) => eb.fn.countAll().as('n'))
        .where('wrapped', 'not like', `v1.${pii.activeKeyId}.%`)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
  return api;
}
