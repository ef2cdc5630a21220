import { describe, expect, it } from 'vitest';
import {
  erasureProgress,
  exportFileName,
  looksLikeEmail,
  searchCustomers,
  shownEmail,
  withExactMatch,
} from './customers.ts';
import { grantable, keyState, PERMISSIONS, staffOnly } from './staff.ts';
import { describeShipping, formatRate, parseCountries, rateToBp, shippingBody } from './tax-shipping.ts';

const account = (email: string, name: string | null, roles: string[] = [], status = 'active') => ({
  id: `usr_${email}`,
  email,
  name,
  roles,
  status,
  emailVerified: true,
  createdAt: '2026-12-01T10:00:00.000Z',
});

describe('customers, tax and shipping, staff rules of the dashboard', () => {
  it('[REQ-ADM-020] the customer search matches every word in email or name, and leaves staff out', () => {
    const all = [
      account('ada@example.com', 'Ada Lovelace'),
      account('grace@example.com', 'Grace Hopper'),
      account('ops@example.com', 'Ada Ops', ['admin']),
    ];
    expect(searchCustomers(all, 'ada').map((a) => a.email)).toEqual(['ada@example.com']);
    expect(searchCustomers(all, '  HOPPER grace ').map((a) => a.email)).toEqual(['grace@example.com']);
    expect(searchCustomers(all, '').map((a) => a.email)).toEqual(['ada@example.com', 'grace@example.com']);
    expect(searchCustomers(all, 'nobody')).toEqual([]);
    expect(shownEmail(account('', null, [], 'erased'))).toBe('(erased)');
    expect(shownEmail(account('ada@example.com', null))).toBe('ada@example.com');
  });

  it('[REQ-ADM-020] a whole email is also looked up exactly; the account found is added once, never a staff one', () => {
    expect(looksLikeEmail(' Ada@Example.com ')).toBe(true);
    expect(looksLikeEmail('ada@example')).toBe(false);
    expect(looksLikeEmail('ada lovelace')).toBe(false);
    const ada = account('ada@example.com', 'Ada Lovelace');
    const far = account('far@example.com', 'Not loaded yet');
    expect(withExactMatch([ada], far).map((a) => a.email)).toEqual(['far@example.com', 'ada@example.com']);
    expect(withExactMatch([ada], ada)).toEqual([ada]);
    expect(withExactMatch([], account('ops@example.com', 'Ops', ['admin']))).toEqual([]);
    expect(withExactMatch([ada], undefined)).toEqual([ada]);
  });

  it('[REQ-ADM-021] an export is saved under a safe file name; erasure progress reads as a sentence', () => {
    expect(exportFileName(' Ada+Shop@Example.com ', new Date('2026-12-06T02:00:00Z'))).toBe(
      'personal-data-ada_shop_example.com-2026-12-06.json',
    );
    const done = { status: 'done', stepsDone: ['orders', 'data_keys'], recordsErased: 3, lastError: null };
    expect(erasureProgress(done)).toBe('Erased: 3 records (orders, data_keys).');
    const pending = { status: 'pending', stepsDone: [], recordsErased: 0, lastError: 'cart down' };
    expect(erasureProgress(pending)).toBe(
      'In progress: 0 records so far; the resume job finishes it. Last error: cart down',
    );
  });

  it('[REQ-ADM-023] [REQ-ADM-024] tax rates in percent become basis points; shipping forms become minor units, bad fields named', () => {
    expect([rateToBp('19'), rateToBp('7,5'), rateToBp('0'), rateToBp('100')]).toEqual([1900, 750, 0, 10_000]);
    expect([rateToBp('100.01'), rateToBp('-1'), rateToBp('19.999'), rateToBp('abc')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(formatRate(750)).toBe('7.5 %');
    expect(parseCountries('de, at;fr de')).toEqual(['DE', 'AT', 'FR']);
    expect(parseCountries('DEU')).toBeUndefined();
    expect(parseCountries(' ')).toBeUndefined();
    const form = { name: ' Express ', countries: 'de at', currency: 'eur', kind: 'flat' as const, price: '9.9' };
    expect(shippingBody({ ...form, perKg: '', freeAbove: '100' })).toEqual({
      body: { name: 'Express', countries: ['DE', 'AT'], currency: 'EUR', kind: 'flat', price: 990, freeAbove: 10_000 },
    });
    expect(shippingBody({ ...form, kind: 'weight', perKg: '1,5', freeAbove: '' })).toEqual({
      body: {
        name: 'Express',
        countries: ['DE', 'AT'],
        currency: 'EUR',
        kind: 'weight',
        price: 990,
        perKg: 150,
        freeAbove: null,
      },
    });
    expect(shippingBody({ ...form, countries: 'Germany', price: '1.234', perKg: '', freeAbove: 'x' })).toEqual({
      errors: {
        countries: 'Enter two-letter country codes, separated by commas.',
        price: 'Enter an amount.',
        freeAbove: 'Enter an amount, or leave it empty.',
      },
    });
    const weight = { kind: 'weight', price: 490, perKg: 100, freeAbove: 5000, currency: 'EUR' };
    expect(describeShipping(weight)).toBe('€4.90 + €1.00 per kg, free from €50.00');
    expect(describeShipping({ ...weight, kind: 'flat', freeAbove: null })).toBe('€4.90');
  });

  it('[REQ-ADM-026] staff are the active accounts with a staff role; a key grants only what its creator holds', () => {
    const all = [account('a@x.io', null, ['admin']), account('c@x.io', null), account('e@x.io', null, [], 'erased')];
    expect(staffOnly(all).map((a) => a.email)).toEqual(['a@x.io']);
    expect(grantable(['*'])).toEqual([...PERMISSIONS]);
    expect(grantable(['orders:read', 'jobs:read', 'not-a-permission'])).toEqual(['orders:read', 'jobs:read']);
    expect([keyState({ revokedAt: null }), keyState({ revokedAt: '2026-12-06T00:00:00Z' })]).toEqual([
      'active',
      'revoked',
    ]);
  });
});
