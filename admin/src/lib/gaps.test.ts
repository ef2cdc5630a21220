import { describe, expect, it } from 'vitest';
import { actorKind, dayRange, imageUrls, logText, movementChange, staffPriceRange } from './gaps.ts';

describe('second-slice helpers', () => {
  it('[REQ-ADM-060] a local day becomes the API range from its first moment to the next day’s', () => {
    const r = dayRange('2026-03-01');
    expect(r).toEqual({
      placedFrom: new Date(2026, 2, 1).toISOString(),
      placedBefore: new Date(2026, 2, 2).toISOString(),
    });
    expect(dayRange('2026-12-31')?.placedBefore).toBe(new Date(2027, 0, 1).toISOString());
    for (const bad of ['', '2026-02-30', '2026-13-01', 'yesterday', '2026-3-1']) expect(dayRange(bad)).toBeUndefined();
  });

  it('[REQ-ADM-061] the order log reads as timeline lines with who and why', () => {
    const at = '2026-03-01T10:00:00.000Z';
    expect(
      logText({
        type: 'placed',
        fromStatus: null,
        toStatus: 'pending',
        actor: 'customer:usr_1',
        reason: null,
        createdAt: at,
      }),
    ).toBe('Order placed by the customer');
    expect(
      logText({ type: 'paid', fromStatus: 'pending', toStatus: 'paid', actor: 'system', reason: null, createdAt: at }),
    ).toBe('pending → paid by the system');
    expect(
      logText({
        type: 'cancelled',
        fromStatus: 'partially_shipped',
        toStatus: 'cancelled',
        actor: 'staff:usr_2',
        reason: 'customer called',
        createdAt: at,
      }),
    ).toBe('partially shipped → cancelled by staff: customer called');
    expect(actorKind('api_key:key_1')).toBe('an API key');
    expect(actorKind('guest')).toBe('the guest');
    expect(actorKind('system:orders.capture')).toBe('the system');
    expect(actorKind('robot:x')).toBe('robot');
  });

  it('[REQ-ADM-062] a movement’s change is signed; a count shows what was counted', () => {
    expect(movementChange({ kind: 'receive', quantity: 5, requested: 5 })).toBe('+5');
    expect(movementChange({ kind: 'damage', quantity: -2, requested: -2 })).toBe('−2');
    expect(movementChange({ kind: 'count', quantity: -2, requested: 7 })).toBe('counted 7 (−2)');
    expect(movementChange({ kind: 'count', quantity: 0, requested: 7 })).toBe('counted 7 (±0)');
  });

  it('[REQ-ADM-063] a staff product’s price range stays in one currency', () => {
    const variants = [
      { prices: [] },
      {
        prices: [
          { currency: 'EUR', amount: 1200 },
          { currency: 'USD', amount: 100 },
        ],
      },
      {
        prices: [
          { currency: 'USD', amount: 9900 },
          { currency: 'EUR', amount: 800 },
        ],
      },
    ];
    expect(staffPriceRange(variants)).toEqual({
      min: { amount: 800, currency: 'EUR' },
      max: { amount: 1200, currency: 'EUR' },
    });
    expect(staffPriceRange([{ prices: [] }])).toBeNull();
    expect(staffPriceRange([])).toBeNull();
  });

  it('[REQ-ADM-068] image URLs are typed one per line, https only', () => {
    expect(
      imageUrls(' https://cdn.example.com/a.jpg \n\nhttps://cdn.example.com/b.jpg\nhttps://cdn.example.com/a.jpg'),
    ).toEqual({
      urls: ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.jpg'],
    });
    expect(imageUrls('')).toEqual({ urls: [] });
    expect(imageUrls('https://cdn.example.com/a.jpg\nhttp://cdn.example.com/b.jpg').error).toBe(
      'Line 2 is not an https URL.',
    );
    expect(imageUrls('not a url').error).toBe('Line 1 is not an https URL.');
  });
});
