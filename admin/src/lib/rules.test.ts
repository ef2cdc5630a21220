import { describe, expect, it } from 'vitest';
import { createBody, emptyVariant, optionAttributes } from '../pages/product-form.ts';
import { couponValue, describeRule, usage } from './coupons.ts';
import { linePaid, onDay, timeline } from './orders.ts';

describe('form and display rules of the dashboard [REQ-ADM-013]', () => {
  it('[REQ-ADM-013] a product form becomes the API body; amounts in minor units, bad ones named by field', () => {
    const v1 = {
      sku: ' MUG-S ',
      option: 'Size: S',
      prices: [
        { currency: 'eur', amount: '12.5' },
        { currency: 'USD', amount: '13.99' },
      ],
    };
    const v2 = {
      ...emptyVariant(),
      sku: 'MUG-L',
      prices: [
        { currency: 'EUR', amount: '1.234' },
        { currency: 'EU', amount: '1' },
      ],
    };
    const { body, invalid } = createBody({
      name: 'Aurora Mug',
      slug: '',
      status: 'published',
      description: '',
      variants: [v1, v2],
    });
    expect(body.slug).toBe('aurora-mug');
    expect(body.variants?.[0]).toEqual({
      sku: 'MUG-S',
      attributes: { size: 'S' },
      prices: [
        { currency: 'EUR', amount: 1250 },
        { currency: 'USD', amount: 1399 },
      ],
    });
    expect(invalid).toEqual({
      'variants.1.prices.0.amount': 'Not an amount in EUR.',
      'variants.1.prices.1.currency': 'Use a 3-letter currency code.',
    });
    expect(optionAttributes('blue')).toEqual({ option: 'blue' });
    expect(optionAttributes('')).toEqual({});
  });

  it('[REQ-ADM-013] coupon values: percent to basis points, fixed amounts to minor units; usage against the limit', () => {
    expect(couponValue('percentage', '10', 'EUR')).toBe(1000);
    expect(couponValue('percentage', '12.5', 'EUR')).toBe(1250);
    expect(couponValue('percentage', '0', 'EUR')).toBeUndefined();
    expect(couponValue('percentage', '101', 'EUR')).toBeUndefined();
    expect(couponValue('fixed', '5', 'EUR')).toBe(500);
    expect(couponValue('free_shipping', '', 'EUR')).toBe(0);
    expect(describeRule({ kind: 'percentage', value: 1000, currency: null })).toBe('10 % off');
    expect(describeRule({ kind: 'fixed', value: 500, currency: 'EUR' })).toBe('€5.00 off');
    expect(usage({ redemptions: 1, usageLimit: 100 })).toBe('1 of 100 used');
    expect(usage({ redemptions: 3, usageLimit: null })).toBe('3 used');
  });

  it('[REQ-ADM-013] a line refund is what the customer paid for it; the timeline is in time order', () => {
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    expect(linePaid({ lineTotal: eur(2500), discount: eur(250), tax: eur(428) })).toEqual(eur(2678));
    expect(onDay('2026-12-06T10:00:00.000Z', '2026-12-06')).toBe(true);
    const events = timeline(
      { createdAt: '2026-12-06T10:00:00.000Z', number: '1000' },
      [
        {
          createdAt: '2026-12-06T11:00:00.000Z',
          updatedAt: '2026-12-06T12:00:00.000Z',
          carrier: 'DHL',
          trackingNumber: 'JD01',
          status: 'delivered',
          deliveredAt: '2026-12-06T12:00:00.000Z',
        },
      ],
      [
        {
          createdAt: '2026-12-06T13:00:00.000Z',
          status: 'rejected',
          decidedAt: '2026-12-06T14:00:00.000Z',
          refund: eur(0),
          items: [{ quantity: 2 }],
        },
      ],
      (m) => `${m.amount}`,
    );
    expect(events.map((e) => e.text)).toEqual([
      'Order 1000 placed',
      'Shipped with DHL JD01',
      'Shipment delivered',
      'Return of 2 units requested',
      'Return rejected',
    ]);
  });
});
