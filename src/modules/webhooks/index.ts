// The webhooks module's front door: the only file other modules may import.
export { createWebhooksModule, type WebhooksModule, type WebhooksModuleDeps } from './module.ts';
