// What the webhooks module shows other modules and clients: its error codes, the events it appends, their payloads.

/** Stable problem codes (`webhooks.<reason>`). */
export const WEBHOOK_ERRORS = {
  notFound: 'webhooks.not_found',
  invalidCursor: 'webhooks.invalid_cursor',
  deliveryNotFound: 'webhooks.delivery_not_found',
  invalidUrl: 'webhooks.invalid_url',
  targetNotAllowed: 'webhooks.target_not_allowed',
  unknownEventType: 'webhooks.unknown_event_type',
  endpointDisabled: 'webhooks.endpoint_disabled',
  deliveryInFlight: 'webhooks.delivery_in_flight',
} as const;

/** Events the webhooks module appends to the outbox (not public: they are about the shop's own integrations). */
export const WEBHOOK_EVENTS = {
  /** An endpoint reached WEBHOOKS_DISABLE_AFTER_FAILURES consecutive failed attempts and was disabled. */
  endpointDisabled: 'webhooks.endpoint.disabled',
} as const;

export type EndpointDisabledPayload = {
  endpointId: string;
  url: string;
  /** Consecutive failed attempts when it was disabled. */
  failures: number;
};

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'cancelled'];
