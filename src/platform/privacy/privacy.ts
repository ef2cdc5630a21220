// What every module gets for personal data: the master-key field crypto (`pii`), per-subject data keys for
// crypto-shredding (`dataKeys`), and the registry through which each module contributes to a person's export,
// erasure and to key rotation. docs/privacy.md lists every personal field and how it is protected.
import type { TSchema } from 'typebox';
import type { Ctx } from '../context.ts';
import type { AnyDb } from '../db/db.ts';
import { createDataKeys, type DataKeys, subjects } from './data-keys.ts';
import { personIndex } from './email.ts';
import type { EncryptionKeyring } from './keyring.ts';
import { createPii, type Pii } from './pii.ts';

/** Whose data an export or erasure is about. Guest data is found by the email's blind indexes. */
export interface DataSubject {
  /** The account, when the person has one. */
  userId: string | null;
  /** Blind indexes of the person's canonical email under every key (privacy/email.ts); empty for none. */
  emailIndexes: string[];
}

/** A module's re-encryption under the active master key, in resumable batches. */
export interface KeyRotationPart {
  /** Table (or other store) name, shown in the rotation progress. */
  name: string;
  /** Values still under an old key (or blind indexes under an old key). */
  remaining(): Promise<number>;
  /** Re-encrypts up to `limit` values; returns how many changed (0 when done). */
  batch(limit: number): Promise<number>;
}

export interface PersonalDataContributor {
  /** Module name: the key of its section in the export document. */
  name: string;
  /** The schema of this module's export section (OpenAPI: GET /v1/me/export `modules.<name>`). */
  exportSchema?: TSchema;
  /** The subject's data held by this module (decrypted), JSON-serialisable, matching `exportSchema`. */
  exportFor?(ctx: Ctx, subject: DataSubject): Promise<unknown>;
  /**
   * Erases or anonymises the subject's data in this module; idempotent, so an erasure interrupted by a crash is
   * finished by running it again. Returns how many records it changed.
   */
  eraseFor?(ctx: Ctx, subject: DataSubject): Promise<number>;
  /** This module's stores for master key rotation. */
  rotation?: KeyRotationPart[];
}

export interface Privacy {
  pii: Pii;
  dataKeys: DataKeys;
  /** Registered by the modules as they are created (app.ts), in creation order. */
  readonly contributors: PersonalDataContributor[];
  register(contributor: PersonalDataContributor): void;
  /**
   * The data key subject that personal data of this person is sealed under: the account if any, else the guest
   * email, else `fallback` (such as `cart:<id>` for a cart that has no email yet).
   */
  subjectOf(person: { userId?: string | null; email?: string | null }, fallback: string): string;
}

export function createPrivacy(ring: EncryptionKeyring, root: AnyDb): Privacy {
  const pii = createPii(ring);
  const contributors: PersonalDataContributor[] = [];
  return {
    pii,
    dataKeys: createDataKeys(pii, root),
    contributors,
    register(c) {
      if (contributors.some((x) => x.name === c.name)) throw new Error(`personal data contributor ${c.name} twice`);
      contributors.push(c);
    },
    subjectOf(person, fallback) {
      if (person.userId) return subjects.user(person.userId);
      if (person.email) return subjects.guest(personIndex(pii, person.email));
      return fallback;
    },
  };
}
