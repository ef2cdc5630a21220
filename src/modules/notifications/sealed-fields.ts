// The field names (associated data) the notifications module seals values under, with the recipient's data key.
export const SEALED = {
  recipient: 'notifications.recipient',
  params: 'notifications.params',
  subject: 'notifications.subject',
  outbox: 'notifications.outbox',
} as const;
