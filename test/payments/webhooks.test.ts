import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  count,
  ctx,
  orderId,
  outboxTypes,
  type PaymentsHarness,
  signedEvent,
  startPaymentsHarness,
} from '../support/payments-harness.ts';
import { statementsOf } from '../support/query-cost.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(async () => {
  await h.close();
});

/** A payment we hold as pending while the sandbox is still processing it. */
async function processing(amount = 2500) {
  const p = await h.pay.api.authorize(ctx, { orderId: orderId(), amount, currency: 'EUR', token: 'tok_processing' });
  expect(p.status).toBe('pending');
  const psp = h.psp.payments.get(p.providerPaymentId as string);
  if (!psp) throw new Error('no sandbox payment');
  return { p, psp };
}

const deliver = (body: string, signature?: string, provider = 'sandbox') =>
  h.t.http.inject({
    method: 'POST',
    url: `/v1/payments/webhooks/${provider}`,
    headers: { 'content-type': 'application/json', ...(signature ? { 'emporium-signature': signature } : {}) },
    payload: body,
  });

describe('webhook signatures [REQ-PAY-005]', () => {
  it('[REQ-PAY-005] missing, forged and stale signatures → 400 payments.invalid_signature, nothing changes', async () => {
    const { p, psp } = await processing();
    psp.status = 'authorized';
    const events = await count(h, 'payments.webhook_events');
    const outbox = await count(h, 'platform.outbox');
    const good = signedEvent({ id: 'evt_sig_1', type: 'payment.authorized', object: psp });
    const forged = signedEvent(
      { id: 'evt_sig_1', type: 'payment.authorized', object: psp },
      'whsec_attacker_0123456789',
    );
    // 30 s beyond the 300 s tolerance each way: the events are signed before the loop, and a slow machine can take
    // seconds to reach the last one (a future timestamp of +301 s then fell inside the window and was accepted).
    const stale = signedEvent(
      { id: 'evt_sig_1', type: 'payment.authorized', object: psp },
      undefined,
      Math.floor(Date.now() / 1000) - 330,
    );
    const future = signedEvent(
      { id: 'evt_sig_1', type: 'payment.authorized', object: psp },
      undefined,
      Math.floor(Date.now() / 1000) + 330,
    );
    const tampered = good.body.replace('"evt_sig_1"', '"evt_sig_2"');
    for (const [body, sig] of [
      [good.body, undefined],
      [forged.body, forged.signature],
      [stale.body, stale.signature],
      [future.body, future.signature],
      [tampered, good.signature],
      [good.body, 't=abc,v1=zz'],
    ] as const) {
      const res = await deliver(body, sig);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('payments.invalid_signature');
    }
    expect(await count(h, 'payments.webhook_events')).toBe(events);
    expect(await count(h, 'platform.outbox')).toBe(outbox);
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('pending');
    // The same event correctly signed is accepted.
    const ok = await deliver(good.body, good.signature);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ received: true, eventId: 'evt_sig_1', outcome: 'applied' });
  });

  it('[REQ-PAY-005] an unknown provider → 404 payments.unknown_provider', async () => {
    const e = signedEvent({ id: 'evt_x', type: 'payment.authorized', object: {} });
    const res = await deliver(e.body, e.signature, 'paypal');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('payments.unknown_provider');
  });
});

describe('webhook idempotency and ordering [REQ-PAY-006]', () => {
  it('[REQ-PAY-006] one provider event delivered 5 times concurrently: one transition, one event', async () => {
    const { p, psp } = await processing();
    psp.status = 'authorized';
    const e = signedEvent({ id: `evt_dup_${p.id}`, type: 'payment.authorized', object: psp });
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(e.body, e.signature)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const outcomes = results.map((r) => r.json().outcome).sort();
    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('authorized');
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.authorized']);
  });

  it('[REQ-PAY-006] captured delivered before authorized: the final state is captured, each event once', async () => {
    const { p, psp } = await processing(4200);
    psp.status = 'captured';
    psp.amount_captured = 4200;
    const captured = signedEvent({ id: `evt_cap_${p.id}`, type: 'payment.captured', object: psp });
    const authorized = signedEvent({
      id: `evt_auth_${p.id}`,
      type: 'payment.authorized',
      object: { ...psp, status: 'authorized' },
    });
    expect((await deliver(captured.body, captured.signature)).json().outcome).toBe('applied');
    expect((await deliver(authorized.body, authorized.signature)).json().outcome).toBe('in_sync');
    const final = await h.pay.api.get(ctx, p.id);
    expect([final?.status, final?.capturedAmount]).toEqual(['captured', 4200]);
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.authorized', 'payments.payment.captured']);
  });

  it('[REQ-PAY-006] the event body is only a hint: the status retrieved from the provider decides', async () => {
    const { p, psp } = await processing();
    psp.status = 'authorized';
    // A body that claims failure; the provider says authorized.
    const e = signedEvent({ id: `evt_lie_${p.id}`, type: 'payment.failed', object: { ...psp, status: 'failed' } });
    expect((await deliver(e.body, e.signature)).json().outcome).toBe('applied');
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('authorized');
  });

  it('[REQ-PAY-006] an event whose news our record already holds by the time the provider answers is recorded in one statement, with no transaction', async () => {
    const p = await h.pay.api.authorize(ctx, { orderId: orderId(), amount: 1600, currency: 'EUR', token: 'tok_visa' });
    expect(p.status).toBe('authorized');
    const psp = h.psp.payments.get(p.providerPaymentId as string);
    if (!psp) throw new Error('no sandbox payment');
    // A body that claims failure: not in sync with our record, so the provider is asked; it says authorized, which is
    // what we hold (our own call synced first). First look, the void check of an authorization, and the recording.
    const e = signedEvent({ id: `evt_raced_${p.id}`, type: 'payment.failed', object: { ...psp, status: 'failed' } });
    let outcome = '';
    const statements = await statementsOf(async () => {
      outcome = (await deliver(e.body, e.signature)).json().outcome;
    });
    expect([outcome, statements]).toEqual(['in_sync', 3]);
    expect((await deliver(e.body, e.signature)).json().outcome).toBe('duplicate');
    expect(await count(h, `payments.webhook_events where event_id = 'evt_raced_${p.id}'`)).toBe(1);
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('authorized');
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.authorized']);
  });

  it('[REQ-PAY-006] an event showing what our record already holds is recorded without asking the provider', async () => {
    const p = await h.pay.api.authorize(ctx, { orderId: orderId(), amount: 1500, currency: 'EUR', token: 'tok_visa' });
    expect(p.status).toBe('authorized');
    const psp = h.psp.payments.get(p.providerPaymentId as string);
    if (!psp) throw new Error('no sandbox payment');
    const shown = { ...psp };
    // The provider moved on (captured) without telling us yet: an event that shows `authorized` has nothing to
    // apply, so the provider is not asked (were it asked, this delivery would capture our record).
    psp.status = 'captured';
    psp.amount_captured = 1500;
    const stale = signedEvent({ id: `evt_same_${p.id}`, type: 'payment.authorized', object: shown });
    expect((await deliver(stale.body, stale.signature)).json().outcome).toBe('in_sync');
    expect((await deliver(stale.body, stale.signature)).json().outcome).toBe('duplicate');
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('authorized');
    expect(await count(h, `payments.webhook_events where event_id = 'evt_same_${p.id}'`)).toBe(1);
    // The capture's own event shows something new: the provider is asked, and its state is applied.
    const captured = signedEvent({ id: `evt_new_${p.id}`, type: 'payment.captured', object: psp });
    expect((await deliver(captured.body, captured.signature)).json().outcome).toBe('applied');
    const final = await h.pay.api.get(ctx, p.id);
    expect([final?.status, final?.capturedAmount]).toEqual(['captured', 1500]);
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.authorized', 'payments.payment.captured']);
  });

  it('[REQ-PAY-006] an in-sync event is looked up and recorded in one statement; 5 concurrent deliveries record it once', async () => {
    const p = await h.pay.api.authorize(ctx, { orderId: orderId(), amount: 1700, currency: 'EUR', token: 'tok_visa' });
    const psp = h.psp.payments.get(p.providerPaymentId as string);
    if (!psp) throw new Error('no sandbox payment');
    const one = signedEvent({ id: `evt_one_${p.id}`, type: 'payment.authorized', object: { ...psp } });
    let outcome = '';
    const statements = await statementsOf(async () => {
      outcome = (await deliver(one.body, one.signature)).json().outcome;
    });
    expect([outcome, statements]).toEqual(['in_sync', 1]);
    const e = signedEvent({ id: `evt_many_${p.id}`, type: 'payment.authorized', object: { ...psp } });
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(e.body, e.signature)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.json().outcome).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'in_sync',
    ]);
    expect(await count(h, `payments.webhook_events where event_id = 'evt_many_${p.id}'`)).toBe(1);
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('authorized');
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.authorized']);
  });

  it("[REQ-PAY-006] an event that comes before we recorded the provider's id finds the payment by our own id", async () => {
    const { p, psp } = await processing();
    psp.status = 'authorized';
    // As when the provider's webhook overtakes the answer to our own call: our record has no provider id yet.
    await sql`update payments.payments set provider_payment_id = null where id = ${p.id}`.execute(h.t.kernel.db.k);
    const e = signedEvent({ id: `evt_early_${p.id}`, type: 'payment.authorized', object: psp });
    expect((await deliver(e.body, e.signature)).json().outcome).toBe('applied');
    const after = await h.pay.api.get(ctx, p.id);
    expect([after?.status, after?.providerPaymentId]).toEqual(['authorized', psp.id]);
    expect((await deliver(e.body, e.signature)).json().outcome).toBe('duplicate');
  });

  it('[REQ-PAY-006] an event about a payment we do not know is acknowledged and recorded once', async () => {
    const e = signedEvent({ id: 'evt_stranger', type: 'payment.authorized', object: { id: 'psp_pay_unknown' } });
    expect((await deliver(e.body, e.signature)).json().outcome).toBe('unknown_payment');
    expect((await deliver(e.body, e.signature)).json().outcome).toBe('duplicate');
  });
});
