// The webhooks module's front door: the only file other modules may import.
export {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type EndpointDisabledPayload,
  WEBHOOK_ERRORS,
  WEBHOOK_EVENTS,
} from './contract.ts';
export { createWebhooksModule, type WebhooksModule, type WebhooksModuleDeps } from './module.ts';
