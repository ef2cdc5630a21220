// Order emails over a real SMTP server (PGlite, or PostgreSQL in CI): the confirmation of a guest checkout (in German,
// the checkout's Accept-Language) and of a customer's, then the shipped mail with carrier and tracking number.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/modules/notifications/render.ts';
import { newId } from '../../src/platform/ids.ts';
import { createStaff, registerCustomer, type TestIdentity, uniqueEmail } from '../support/auth.ts';
import { createVariant, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { MAIL_ENV, messagesOfEvent, messagesTo, subscriber } from './helpers.ts';
import { mailsTo, startSmtp, type TestSmtp, waitFor } from './smtp.ts';

let smtp: TestSmtp;
let t: TestApp;
let staff: TestIdentity;
let mug: TestVariant;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ env: { ...MAIL_ENV, SMTP_URL: smtp.url } });
  staff = await createStaff(t, 'admin');
  mug = await createVariant(t, staff, { price: 1250, stock: 1000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

interface Order {
  id: string;
  number: string;
  status: string;
  totals: { total: { amount: number; currency: string } };
}

async function checkout(email: string, opts: { auth?: Record<string, string>; locale?: string } = {}): Promise<Order> {
  const cart = await readyCart(t, mug.variantId, { quantity: 2, ...(opts.auth ? { auth: opts.auth } : {}) });
  const patched = await t.http.inject({
    method: 'PATCH',
    url: `/v1/carts/${cart.id}`,
    headers: cart.headers,
    payload: { email },
  });
  expect(patched.statusCode).toBe(200);
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: {
      ...cart.headers,
      'idempotency-key': randomUUID(),
      ...(opts.locale ? { 'accept-language': opts.locale } : {}),
    },
    payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as Order;
}

const mailWith = (email: string, subject: string) =>
  waitFor(() => mailsTo(smtp, email).find((m) => m.subject?.startsWith(subject)));

describe('order emails over SMTP', () => {
  let guestOrder: Order;
  const guest = uniqueEmail('guest');

  it('[REQ-NTF-004] a guest checkout with Accept-Language: de gets its confirmation in German', async () => {
    guestOrder = await checkout(guest, { locale: 'de' });
    const mail = await mailWith(guest, `Bestellung ${guestOrder.number} bestätigt`);
    const total = formatMoney(guestOrder.totals.total, 'de');
    expect(mail.subject).toBe(`Bestellung ${guestOrder.number} bestätigt – Emporium Demo Shop`);
    expect(mail.text).toContain('Hallo Ada Lovelace,');
    expect(mail.text).toContain(`Wir haben Ihre Bestellung ${guestOrder.number} erhalten`);
    expect(mail.text).toContain(`- 2 × Product `);
    expect(mail.text).toContain(`Gesamt: ${total}`);
    expect(mail.text).toContain('Lieferadresse:\nAda Lovelace\nMain St 1\n10115 Berlin\nDE');
    expect(mail.text).toContain(`https://shop.example/orders/${guestOrder.id}`);
    expect(mail.html).toContain('lang="de"');
    expect(mail.html).toContain(`<td style="text-align:right">${total}</td>`);
    // The SMTP server has the mail a moment before the dispatcher records it as sent.
    await waitFor(async () => (await messagesTo(t, guest)).every((m) => m.status === 'sent'));
    expect((await messagesTo(t, guest)).map((m) => [m.kind, m.locale, m.status])).toEqual([
      ['order_confirmation', 'de', 'sent'],
    ]);
  });

  it('[REQ-NTF-004] a customer checkout gets its confirmation in English (no Accept-Language)', async () => {
    const customer = await registerCustomer(t, { name: 'Alan Turing' });
    const order = await checkout(customer.email, { auth: customer.headers });
    const mail = await mailWith(customer.email, `Order ${order.number} confirmed`);
    expect(mail.subject).toBe(`Order ${order.number} confirmed – Emporium Demo Shop`);
    expect(mail.text).toContain(`Total: ${formatMoney(order.totals.total, 'en')}`);
    expect(mail.text).toContain('Shipping to:');
    expect(mail.html).toContain('lang="en"');
  });

  it('[REQ-NTF-005] shipping the guest order sends the shipped mail with carrier and tracking number, in German', async () => {
    const shipped = await t.http.inject({
      method: 'POST',
      url: `/v1/admin/orders/${guestOrder.id}/shipments`,
      headers: staff.headers,
      payload: { carrier: 'DHL', trackingNumber: '00340434161094042557' },
    });
    expect(shipped.statusCode).toBe(201);
    const mail = await mailWith(guest, `Bestellung ${guestOrder.number} ist unterwegs`);
    expect(mail.text).toContain('Versanddienstleister: DHL');
    expect(mail.text).toContain('Sendungsnummer: 00340434161094042557');
    expect(mail.text).toContain('In diesem Paket:\n- 2 × Product ');
    expect(mail.html).toContain('00340434161094042557');
    expect(mailsTo(smtp, guest).filter((m) => m.subject?.includes('unterwegs'))).toHaveLength(1);
  });

  it("[REQ-NTF-005] a failed payment mails the order's buyer; one without an order (declined at checkout) mails nobody", async () => {
    const envelope = (orderId: string, type: string) => ({
      id: newId('evt'),
      type,
      version: 1,
      aggregateId: newId('pay'),
      occurredAt: new Date().toISOString(),
      correlationId: null,
      causationId: null,
      traceparent: null,
      payload: { paymentId: newId('pay'), orderId, status: 'failed', amount: 2500, currency: 'EUR' },
    });
    const handler = subscriber(t, 'notifications.order_messages');
    const orphan = envelope(newId('ord'), 'payments.payment.failed');
    await handler.handle(orphan);
    expect(await messagesOfEvent(t, orphan.id)).toHaveLength(0);

    const failed = envelope(guestOrder.id, 'payments.payment.failed');
    await handler.handle(failed);
    expect((await messagesOfEvent(t, failed.id)).map((m) => [m.kind, m.locale])).toEqual([['payment_failed', 'de']]);
    const mail = await mailWith(guest, `Zahlung für Bestellung ${guestOrder.number} fehlgeschlagen`);
    expect(mail.text).toContain(`Die Zahlung über ${formatMoney(guestOrder.totals.total, 'de')}`);
  });
});
