// Events the payments module appends to the outbox (payload: ids and the fields consumers need).
export const PAYMENT_EVENTS = {
  requiresAction: 'payments.payment.requires_action',
  authorized: 'payments.payment.authorized',
  captured: 'payments.payment.captured',
  failed: 'payments.payment.failed',
  voided: 'payments.payment.voided',
  refunded: 'payments.payment.refunded',
} as const;

export type PaymentEventType = (typeof PAYMENT_EVENTS)[keyof typeof PAYMENT_EVENTS];

export interface PaymentEventPayload {
  paymentId: string;
  orderId: string;
  status: string;
  amount: number;
  currency: string;
  capturedAmount: number;
  refundedAmount: number;
  /** For `refunded`: this refund's amount and id. */
  refundAmount?: number;
  refundId?: string;
  failureCode?: string | null;
  nextActionUrl?: string | null;
}
