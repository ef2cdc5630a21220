// The kinds of message the shop sends, who gets them and what they are about. A kind names its templates
// (templates/<kind>.mjml and <kind>.txt.hbs) and its strings in every locale (locales/<locale>.ts).
export const MESSAGE_KINDS = [
  'order_confirmation',
  'payment_failed',
  'payment_action_required',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'order_refunded',
  'order_partially_refunded',
  'return_requested',
  'return_received',
  'password_reset',
  'email_verification',
  'welcome',
  'stock_low',
  'webhook_endpoint_disabled',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const isMessageKind = (value: string): value is MessageKind =>
  (MESSAGE_KINDS as readonly string[]).includes(value);

/** The statuses of a message: claimed while `sending` (with a lease), `failed` while waiting for its next attempt. */
export const MESSAGE_STATUSES = ['pending', 'sending', 'failed', 'sent', 'dead'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const NOTIFICATION_ERRORS = {
  unknownKind: 'notifications.unknown_kind',
  messageNotFound: 'notifications.message_not_found',
  alreadySent: 'notifications.already_sent',
  inFlight: 'notifications.message_in_flight',
  outboxMessageNotFound: 'notifications.outbox_message_not_found',
  invalidCursor: 'notifications.invalid_cursor',
} as const;

/** The data key subject staff messages are sealed under (they are not about a person). */
export const STAFF_SUBJECT = 'staff:notifications';
