// The subscribers: one per family of events, each turning an event into at most one message per recipient. The
// message row is the whole effect: inserted with its exactly-once key (event id, template, recipient blind index)
// `on conflict do nothing`, so a redelivered event changes nothing. Sending is the dispatcher's job.

import type { MailConfig, MailLocale, ShopConfig } from '../../platform/config-messaging.ts';
import type { Db } from '../../platform/db/db.ts';
import type { EventEnvelope } from '../../platform/events/envelope.ts';
import type { Subscriber } from '../../platform/events/subscriber.ts';
import { newId } from '../../platform/ids.ts';
import { supportedLocale } from '../../platform/locale.ts';
import { currentTraceparent } from '../../platform/observability/tracing-context.ts';
import { personIndex } from '../../platform/privacy/email.ts';
import { normaliseEmail } from '../../platform/privacy/pii.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import type { AccountTokenRequestedPayload, IdentityApi } from '../identity/index.ts';
import { ACCOUNT_TOKEN_FIELD, IDENTITY_EVENTS } from '../identity/index.ts';
import type { StockLowPayload } from '../inventory/index.ts';
import { INVENTORY_EVENTS } from '../inventory/index.ts';
import type { NotifiableOrder, OrdersApi } from '../orders/index.ts';
import { ORDER_EVENTS } from '../orders/index.ts';
import { PAYMENT_EVENTS } from '../payments/index.ts';
import { type EndpointDisabledPayload, WEBHOOK_EVENTS } from '../webhooks/index.ts';
import { type MessageKind, STAFF_SUBJECT } from './kinds.ts';
import { insertMessage } from './messages.repo.ts';
import { SEALED } from './sealed-fields.ts';

export interface SubscriberDeps {
  db: Db;
  privacy: Privacy;
  shop: ShopConfig;
  mail: MailConfig;
  identity: Pick<IdentityApi, 'contactOf'>;
  orders: OrdersApi;
  /** Called after a message was inserted (wakes this process's dispatcher). */
  onQueued: () => void;
}

interface Recipient {
  email: string;
  locale: MailLocale;
  /** The data key subject the message is sealed under. */
  dataSubject: string;
  personUserId: string | null;
  personal: boolean;
}

const ORDER_KINDS: Record<string, MessageKind> = {
  [ORDER_EVENTS.placed]: 'order_confirmation',
  [ORDER_EVENTS.shipped]: 'order_shipped',
  [ORDER_EVENTS.delivered]: 'order_delivered',
  [ORDER_EVENTS.cancelled]: 'order_cancelled',
  [ORDER_EVENTS.refunded]: 'order_refunded',
  [ORDER_EVENTS.partiallyRefunded]: 'order_partially_refunded',
  [ORDER_EVENTS.returnRequested]: 'return_requested',
  [ORDER_EVENTS.returnReceived]: 'return_received',
  [PAYMENT_EVENTS.failed]: 'payment_failed',
  [PAYMENT_EVENTS.requiresAction]: 'payment_action_required',
};

type Lines = { variantId: string; quantity: number }[];

/** What every order message shows: number, lines, totals, address, link; plus the event's own facts. */
export function orderParams(shop: ShopConfig, order: NotifiableOrder, event: EventEnvelope): Record<string, unknown> {
  const p = event.payload as Record<string, unknown>;
  const nameOf = new Map(order.items.map((i) => [i.variantId, i.name]));
  const list = (lines: unknown) =>
    Array.isArray(lines)
      ? (lines as Lines).map((l) => ({ name: nameOf.get(l.variantId) ?? l.variantId, quantity: l.quantity }))
      : [];
  const action = typeof p.nextActionUrl === 'string' && /^https?:\/\//.test(p.nextActionUrl) ? p.nextActionUrl : null;
  const link = `${shop.url}/orders/${encodeURIComponent(order.id)}`;
  return {
    orderId: order.id,
    orderNumber: order.number,
    name: order.shippingAddress?.name ?? null,
    items: order.items.map((i) => ({ name: i.name, quantity: i.quantity, lineTotal: i.lineTotal })),
    totals: order.totals,
    shippingAddress: order.shippingAddress,
    link,
    ...(event.type === ORDER_EVENTS.shipped
      ? { carrier: p.carrier ?? null, trackingNumber: p.trackingNumber ?? null, list: list(p.items) }
      : {}),
    ...(event.type === ORDER_EVENTS.returnRequested ? { list: list(p.items) } : {}),
    ...(event.type === ORDER_EVENTS.returnReceived && typeof p.refundAmount === 'number'
      ? { refund: { amount: p.refundAmount, currency: String(p.currency ?? order.totals.total.currency) } }
      : {}),
    ...(event.type === PAYMENT_EVENTS.requiresAction ? { actionUrl: action ?? link } : {}),
  };
}

export function createSubscribers(deps: SubscriberDeps): Subscriber[] {
  const { db, privacy, shop, mail } = deps;
  const localeOf = (value: string | null | undefined) => supportedLocale(value) ?? shop.defaultLocale;

  /** Inserts the message once per (event, kind, recipient); the recipient and the parameters sealed. */
  async function queue(event: EventEnvelope, kind: MessageKind, to: Recipient, params: Record<string, unknown>) {
    const email = normaliseEmail(to.email);
    const key = await privacy.dataKeys.forSubject(to.dataSubject);
    const [active, ...former] = privacy.pii.blindIndexCandidates(email).map((i) => `${event.id}:${kind}:${i}`);
    const inserted = await insertMessage(
      db.k,
      {
        id: newId('msg'),
        dedupeKey: active as string,
        eventId: event.id,
        kind,
        locale: to.locale,
        dataSubject: to.dataSubject,
        personUserId: to.personUserId,
        personIndex: to.personal ? personIndex(privacy.pii, email) : null,
        recipientSealed: privacy.dataKeys.seal(key, SEALED.recipient, to.email),
        paramsSealed: privacy.dataKeys.sealJson(key, SEALED.params, params),
        traceparent: currentTraceparent(event.traceparent ?? undefined),
      },
      former,
    );
    if (inserted) deps.onQueued();
  }

  async function onOrderEvent(event: EventEnvelope): Promise<void> {
    const kind = ORDER_KINDS[event.type];
    const orderId = (event.payload as { orderId?: unknown }).orderId;
    if (!kind || typeof orderId !== 'string') return;
    // A payment declined while the buyer waited at checkout has no order: the checkout answered them already.
    const order = await deps.orders.getOrder(orderId);
    if (!order?.email) return;
    const to: Recipient = {
      email: order.email,
      locale: localeOf(order.locale),
      dataSubject: order.subject,
      personUserId: order.userId,
      personal: true,
    };
    await queue(event, kind, to, orderParams(shop, order, event));
  }

  async function onAccountEvent(event: EventEnvelope): Promise<void> {
    const p = event.payload as Partial<AccountTokenRequestedPayload>;
    if (typeof p.userId !== 'string') return;
    const contact = await deps.identity.contactOf(p.userId);
    if (!contact) return;
    const to: Recipient = {
      email: contact.email,
      locale: localeOf(contact.locale),
      dataSubject: contact.subject,
      personUserId: contact.userId,
      personal: true,
    };
    if (event.type === IDENTITY_EVENTS.userRegistered) {
      // Welcome is for customers: a staff account (ADMIN_EMAIL, one an admin created) is not welcomed to the shop.
      if (!contact.staff) await queue(event, 'welcome', to, { name: contact.name, link: shop.url });
      return;
    }
    if (typeof p.tokenSealed !== 'string') return;
    const token = await privacy.dataKeys.open(ACCOUNT_TOKEN_FIELD, p.tokenSealed);
    if (token === null) return; // the account was erased: its token no longer opens
    const reset = event.type === IDENTITY_EVENTS.passwordResetRequested;
    const path = reset ? 'reset-password' : 'verify-email';
    await queue(event, reset ? 'password_reset' : 'email_verification', to, {
      name: contact.name,
      link: `${shop.url}/${path}?token=${encodeURIComponent(token)}`,
      expiresAt: p.expiresAt ?? null,
    });
  }

  async function onStaffEvent(event: EventEnvelope): Promise<void> {
    if (!mail.staffEmail) return;
    const to: Recipient = {
      email: mail.staffEmail,
      locale: shop.defaultLocale,
      dataSubject: STAFF_SUBJECT,
      personUserId: null,
      personal: false,
    };
    if (event.type === INVENTORY_EVENTS.stockLow) {
      const p = event.payload as unknown as StockLowPayload;
      await queue(event, 'stock_low', to, { variantId: p.variantId, available: p.available, threshold: p.threshold });
    } else {
      const p = event.payload as unknown as EndpointDisabledPayload;
      await queue(event, 'webhook_endpoint_disabled', to, {
        endpointId: p.endpointId,
        url: p.url,
        failures: p.failures,
      });
    }
  }

  return [
    { name: 'notifications.order_messages', eventTypes: Object.keys(ORDER_KINDS), handle: onOrderEvent },
    {
      name: 'notifications.account_messages',
      eventTypes: [
        IDENTITY_EVENTS.userRegistered,
        IDENTITY_EVENTS.passwordResetRequested,
        IDENTITY_EVENTS.emailVerificationRequested,
      ],
      handle: onAccountEvent,
    },
    {
      name: 'notifications.staff_messages',
      eventTypes: [INVENTORY_EVENTS.stockLow, WEBHOOK_EVENTS.endpointDisabled],
      handle: onStaffEvent,
    },
  ];
}
