// The notifications' part of a person's export and erasure: the messages written to them (their account's, and those
// sent to their email as a guest). Export: kind, status, when sent and the subject line. Erasure deletes the messages
// and their local outbox copies; the platform then destroys the person's data key, so any copy left (a backup) no
// longer opens. At a master key rotation the person index is recomputed under the new key.
import { Type } from 'typebox';
import type { Db } from '../../platform/db/db.ts';
import { DateTime, List, Text } from '../../platform/http/schema-helpers.ts';
import { personIndex } from '../../platform/privacy/email.ts';
import type { PersonalDataContributor, Privacy } from '../../platform/privacy/privacy.ts';
import { MESSAGE_KINDS, MESSAGE_STATUSES } from './kinds.ts';
import {
  deleteMessagesOfPerson,
  messagesOfPerson,
  setPersonIndex,
  staleIndexCount,
  staleIndexRows,
} from './messages.repo.ts';
import { SEALED } from './sealed-fields.ts';

export const NotificationsExportSchema = Type.Object(
  {
    messages: List(
      Type.Object({
        kind: Type.Union(MESSAGE_KINDS.map((k) => Type.Literal(k))),
        status: Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s))),
        sentAt: Type.Union([DateTime(), Type.Null()]),
        subject: Type.Union([Text(1000), Type.Null()], { description: 'The subject line, once sent' }),
      }),
      100_000,
    ),
  },
  { description: 'The emails the shop wrote to the person' },
);

export function createNotificationsContributor(deps: { db: Db; privacy: Privacy }): PersonalDataContributor {
  const { db, privacy } = deps;
  return {
    name: 'notifications',
    exportSchema: NotificationsExportSchema,
    async exportFor(_ctx, s) {
      const rows = await messagesOfPerson(db.k, s.userId, s.emailIndexes);
      await privacy.dataKeys.preload(rows.map((r) => r.subject_sealed));
      return {
        messages: await Promise.all(
          rows.map(async (r) => ({
            kind: r.kind,
            status: r.status,
            sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
            subject: r.subject_sealed ? await privacy.dataKeys.open(SEALED.subject, r.subject_sealed) : null,
          })),
        ),
      };
    },
    eraseFor: (_ctx, s) => deleteMessagesOfPerson(db.k, s.userId, s.emailIndexes),
    // Sealed values need nothing at a master key rotation (their data keys are re-wrapped); the person index is
    // recomputed under the active key from the opened address, so lookups no longer need the old key.
    rotation: [
      {
        name: 'notifications.messages',
        remaining: () => staleIndexCount(db.k, privacy.pii.activeKeyId),
        async batch(limit) {
          let changed = 0;
          for (const r of await staleIndexRows(db.k, privacy.pii.activeKeyId, limit)) {
            const to = await privacy.dataKeys.open(SEALED.recipient, r.recipient_sealed);
            changed += await setPersonIndex(
              db.k,
              r.id,
              r.person_index as string,
              to ? personIndex(privacy.pii, to) : null,
            );
          }
          return changed;
        },
      },
    ],
  };
}
