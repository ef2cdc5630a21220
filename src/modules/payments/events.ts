// Events the payments module appends to the outbox (payload: ids and the fields consumers need).
import { Type } from 'typebox';
import type { PublicEventType } from '../../platform/events/public-events.ts';
import { CurrencyCode, Id, Minor, Text, Url } from '../../platform/http/schema-helpers.ts';
import type { PaymentStatus } from './contract.ts';
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

// The payload schemas of the public event types (objects stay open: a field added later is not a breaking change).
// Every payment event carries the payment as it stands after the change; some add fields of their own.

const Status = (statuses: readonly PaymentStatus[]) =>
  Type.Union(
    statuses.map((s) => Type.Literal(s)),
    { description: "The payment's status after the change" },
  );

/** The fields every payment event carries; `status` lists the statuses that event type can leave it in. */
const paymentFields = (statuses: readonly PaymentStatus[]) => ({
  paymentId: Id({ pattern: '^pay_[0-9a-z]{26}$' }),
  orderId: Id({ description: 'The order the payment is for' }),
  status: Status(statuses),
  amount: Minor({ minimum: 1, description: 'The authorized amount, in integer minor units' }),
  currency: CurrencyCode(),
  capturedAmount: Minor({ description: 'Captured so far, in integer minor units' }),
  refundedAmount: Minor({ description: 'Refunded so far, in integer minor units' }),
});

const Payment = (statuses: readonly PaymentStatus[]) => Type.Object(paymentFields(statuses));

export const PAYMENT_PUBLIC_EVENTS: readonly PublicEventType[] = [
  {
    type: PAYMENT_EVENTS.requiresAction,
    description: 'The payment needs the customer to act (3-D Secure or the like) before it can be authorized.',
    payload: Type.Object({
      ...paymentFields(['requires_action']),
      nextActionUrl: Type.Union([Url(), Type.Null()], {
        description: 'Where the customer completes the step; null when the provider gives none',
      }),
    }),
  },
  {
    type: PAYMENT_EVENTS.authorized,
    description:
      'The provider authorized the payment (when it reports a capture straight away, this event comes just before captured).',
    payload: Payment(['authorized', 'captured']),
  },
  {
    type: PAYMENT_EVENTS.captured,
    description: 'The payment was captured: the money is taken.',
    payload: Payment(['captured']),
  },
  {
    type: PAYMENT_EVENTS.failed,
    description: 'The payment failed: the provider declined it, or the action asked of the customer did not succeed.',
    payload: Type.Object({
      ...paymentFields(['failed']),
      failureCode: Type.Union([Text(100, { minLength: 1 }), Type.Null()], {
        description: "The provider's reason, e.g. card_declined",
      }),
    }),
  },
  {
    type: PAYMENT_EVENTS.voided,
    description: 'The authorization was released without capturing (a cancelled or abandoned order).',
    payload: Payment(['voided']),
  },
  {
    type: PAYMENT_EVENTS.refunded,
    description: 'A refund of the payment succeeded (all of what was captured, or a part of it).',
    payload: Type.Object({
      ...paymentFields(['partially_refunded', 'refunded']),
      refundAmount: Minor({ minimum: 1, description: "This refund's amount, in integer minor units" }),
      refundId: Id({ pattern: '^ref_[0-9a-z]{26}$' }),
    }),
  },
];
