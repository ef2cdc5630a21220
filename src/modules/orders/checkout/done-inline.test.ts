// The post-pivot subscribers skip what this process's checkout finished inline, and only that.
import { describe, expect, it } from 'vitest';
import { createFakeCart } from '../../../../test/support/orders-fakes.ts';
import type { EventEnvelope } from '../../../platform/events/envelope.ts';
import type { OrderPlacedPayload } from '../events.ts';
import { afterPlacedSubscribers, paymentSettledSubscribers } from './checkout.workers.ts';
import { createDoneInline } from './done-inline.ts';

const placed = (orderId: string, cartId: string): EventEnvelope => ({
  id: `evt_${orderId}`,
  type: 'orders.order.placed',
  version: 1,
  aggregateId: orderId,
  occurredAt: new Date().toISOString(),
  correlationId: null,
  causationId: null,
  traceparent: null,
  payload: {
    orderId,
    number: '1001',
    cartId,
    userId: null,
    reservationKey: `checkout:${orderId}`,
    redemptionKey: null,
    paymentId: 'pay_1',
    total: { amount: 1000, currency: 'EUR' },
  } satisfies OrderPlacedPayload as unknown as Record<string, unknown>,
});

describe('post-pivot steps done inline [REQ-CHK-019]', () => {
  it('[REQ-CHK-019] a mark is taken once; the oldest marks go past the bound', () => {
    const done = createDoneInline(2);
    done.mark('paid', 'ord_a');
    done.mark('cart_completed', 'ord_a');
    expect([done.take('paid', 'ord_a'), done.take('paid', 'ord_a')]).toEqual([true, false]);
    done.mark('paid', 'ord_b');
    done.mark('paid', 'ord_c');
    expect([done.take('cart_completed', 'ord_a'), done.take('paid', 'ord_b'), done.take('paid', 'ord_c')]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('[REQ-CHK-019] complete_cart and capture_payment skip what was done inline here, and do what was not', async () => {
    const cart = createFakeCart();
    const doneInline = createDoneInline();
    const orderReads: string[] = [];
    const deps = {
      cart,
      doneInline,
      capture: 'immediate' as const,
      // Reading the order is the capture subscriber's first statement: a paid order ends it.
      orders: {
        row: async (id: string) => {
          orderReads.push(id);
          return { status: 'paid', payment_id: 'pay_1' };
        },
      },
    };
    const subscribers = afterPlacedSubscribers(() => deps as never);
    const run = async (name: string, e: EventEnvelope) => subscribers.find((s) => s.name === name)?.handle(e);
    for (const id of ['ord_inline', 'ord_elsewhere']) {
      cart.put({ cartId: `cart_${id}` } as never);
    }
    doneInline.mark('cart_completed', 'ord_inline');
    doneInline.mark('paid', 'ord_inline');
    for (const id of ['ord_inline', 'ord_elsewhere']) {
      await run('orders.complete_cart', placed(id, `cart_${id}`));
      await run('orders.capture_payment', placed(id, `cart_${id}`));
    }
    expect(cart.completionCalls()).toBe(1);
    expect([cart.completed('cart_ord_inline'), cart.completed('cart_ord_elsewhere')]).toEqual([
      undefined,
      'ord_elsewhere',
    ]);
    expect(orderReads).toEqual(['ord_elsewhere']);
    // A redelivery of the inline order's event (the mark was taken) does the work: the subscriber stays the guarantee.
    await run('orders.complete_cart', placed('ord_inline', 'cart_ord_inline'));
    expect(cart.completed('cart_ord_inline')).toBe('ord_inline');
  });

  it('[REQ-CHK-019] payment_settled resumes no attempt that was authorized inline here, and resumes the others', async () => {
    const doneInline = createDoneInline();
    const resumed: string[] = [];
    const deps = { doneInline, checkout: { resume: async (id: string) => void resumed.push(id) } };
    const [settled] = paymentSettledSubscribers(() => deps as never);
    const authorized = (orderId: string): EventEnvelope => ({
      ...placed(orderId, 'cart_x'),
      id: `evt_auth_${orderId}`,
      type: 'payments.payment.authorized',
      payload: { orderId, paymentId: `pay_${orderId}` },
    });
    doneInline.mark('authorized', 'ord_inline');
    for (const id of ['ord_inline', 'ord_waiting', 'ord_inline']) await settled?.handle(authorized(id));
    // The second delivery for the inline order finds its mark taken: it resumes, which finds nothing waiting.
    expect(resumed).toEqual(['ord_waiting', 'ord_inline']);
  });
});
