import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStaff } from '../support/fake-auth.ts';
import {
  count,
  ctx,
  orderId,
  outboxTypes,
  type PaymentsHarness,
  startPaymentsHarness,
} from '../support/payments-harness.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(async () => {
  await h.close();
});

async function captured(amount: number) {
  const id = orderId();
  const p = await h.pay.api.authorize(ctx, { orderId: id, amount, currency: 'EUR', token: 'tok_visa' });
  await h.pay.api.capture(ctx, p.id);
  return { id, p };
}

const refund = (order: string, body: object, key?: string, perms = 'payments:refund') =>
  h.t.http.inject({
    method: 'POST',
    url: `/v1/admin/orders/${order}/refunds`,
    headers: { ...asStaff(perms), ...(key ? { 'idempotency-key': key } : {}) },
    payload: body,
  });

describe('refunds [REQ-PAY-007]', () => {
  it('[REQ-PAY-007] a partial refund then the rest; the same key replays the same refund', async () => {
    const { id, p } = await captured(1000);
    const a = await refund(id, { amount: 300, reason: 'damaged' }, 'rk-1');
    expect(a.statusCode).toBe(201);
    const body = a.json();
    expect(body).toMatchObject({
      paymentId: p.id,
      orderId: id,
      amount: { amount: 300, currency: 'EUR' },
      status: 'succeeded',
    });
    const replay = await refund(id, { amount: 300, reason: 'damaged' }, 'rk-1');
    expect(replay.json().id).toBe(body.id);
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('partially_refunded');
    const rest = await refund(id, { reason: 'the rest' }, 'rk-2');
    expect(rest.json().amount).toEqual({ amount: 700, currency: 'EUR' });
    const after = await h.pay.api.get(ctx, p.id);
    expect([after?.status, after?.refundedAmount]).toEqual(['refunded', 1000]);
    expect(h.psp.payments.get(p.providerPaymentId as string)?.amount_refunded).toBe(1000);
    expect(await outboxTypes(h, p.id)).toEqual([
      'payments.payment.authorized',
      'payments.payment.captured',
      'payments.payment.refunded',
      'payments.payment.refunded',
    ]);
    const more = await refund(id, { amount: 1, reason: 'too much' }, 'rk-3');
    expect([more.statusCode, more.json().code]).toEqual([409, 'payments.refund_exceeds_captured']);
  });

  it('[REQ-PAY-007] ten concurrent partial refunds against one capture: the sum never exceeds it', async () => {
    const { id, p } = await captured(1000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => refund(id, { amount: 150, reason: 'split' }, `conc-${i}`)),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 201, 201, 201, 201, 201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) {
      expect(r.json().code).toBe('payments.refund_exceeds_captured');
    }
    const after = await h.pay.api.get(ctx, p.id);
    expect([after?.refundedAmount, after?.status]).toEqual([900, 'partially_refunded']);
    const sum = await sql<{ s: number }>`select coalesce(sum(amount), 0)::int as s from payments.refunds
      where payment_id = ${p.id} and status = 'succeeded'`.execute(h.t.kernel.db.k);
    expect(Number(sum.rows[0]?.s)).toBe(900);
    expect(h.psp.payments.get(p.providerPaymentId as string)?.amount_refunded).toBe(900);
  });

  it('[REQ-PAY-007] errors change nothing: no key, no permission, not captured, bad input, unknown order', async () => {
    const { id } = await captured(800);
    const auth = await h.pay.api.authorize(ctx, {
      orderId: orderId(),
      amount: 800,
      currency: 'EUR',
      token: 'tok_visa',
    });
    const before = await count(h, 'payments.refunds');
    const noKey = await refund(id, { amount: 100, reason: 'x' });
    expect([noKey.statusCode, noKey.json().code]).toEqual([400, 'payments.idempotency_key_required']);
    const anon = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/orders/${id}/refunds`,
      payload: { reason: 'x' },
    });
    expect(anon.statusCode).toBe(401);
    const noPerm = await refund(id, { amount: 100, reason: 'x' }, 'k', 'payments:read');
    expect([noPerm.statusCode, noPerm.json().code]).toEqual([403, 'auth.forbidden']);
    const notCaptured = await refund(auth.orderId, { amount: 100, reason: 'x' }, 'k');
    expect([notCaptured.statusCode, notCaptured.json().code]).toEqual([409, 'payments.invalid_state']);
    const bad = await refund(id, { amount: 0, reason: '' }, 'k');
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'request.validation_failed']);
    const missing = await refund('ord_nope', { amount: 1, reason: 'x' }, 'k');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'payments.not_found']);
    expect(await count(h, 'payments.refunds')).toBe(before);
  });
});
