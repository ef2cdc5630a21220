// The payments module's front door: the only file other modules may import.
export type {
  AuthorizeInput,
  Payment,
  PaymentReference,
  PaymentStatus,
  PaymentsApi,
  ProviderName,
  Refund,
} from './contract.ts';
export { PAYMENT_ERRORS } from './contract.ts';
export type { PaymentEventPayload, PaymentEventType } from './events.ts';
export { PAYMENT_EVENTS, PAYMENT_PUBLIC_EVENTS } from './events.ts';
export { createPaymentsModule, type PaymentsModule } from './module.ts';
export { createPaymentsContributor, PaymentsExportSchema } from './personal-data.ts';
