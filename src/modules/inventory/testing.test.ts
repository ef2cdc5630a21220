import { describe, expect, it } from 'vitest';
import { createFakeInventory } from './testing.ts';

const ctx = { requestId: 't', actor: { kind: 'system' as const, name: 'test' } };

describe('fake inventory for other modules', () => {
  it('[REQ-INV-017] follows the real contract: all-or-nothing, idempotent key, commit, expiry', async () => {
    const inv = createFakeInventory({ a: 2, b: 1 });
    await expect(
      inv.reserve(ctx, {
        key: 'k1',
        lines: [
          { variantId: 'a', quantity: 1 },
          { variantId: 'b', quantity: 2 },
        ],
      }),
    ).rejects.toMatchObject({ code: 'inventory.insufficient_stock', extra: { variants: ['b'] } });
    expect(inv.level('a')).toEqual({ onHand: 2, reserved: 0 });
    const r = await inv.reserve(ctx, { key: 'k2', lines: [{ variantId: 'a', quantity: 2 }] });
    expect((await inv.reserve(ctx, { key: 'k2', lines: [{ variantId: 'a', quantity: 2 }] })).id).toBe(r.id);
    await expect(inv.reserve(ctx, { key: 'k2', lines: [{ variantId: 'a', quantity: 1 }] })).rejects.toMatchObject({
      code: 'inventory.key_conflict',
    });
    expect((await inv.getAvailability(['a', 'z'])).get('a')).toEqual({ available: 0, inStock: false });
    expect((await inv.commit(ctx, 'k2')).status).toBe('committed');
    expect(inv.level('a')).toEqual({ onHand: 0, reserved: 0 });
    await inv.reserve(ctx, { key: 'k3', lines: [{ variantId: 'b', quantity: 1 }] });
    inv.expireAll();
    await expect(inv.commit(ctx, 'k3')).rejects.toMatchObject({ code: 'inventory.reservation_expired' });
    expect((await inv.release(ctx, 'k3')).status).toBe('expired');
    expect(inv.level('b')).toEqual({ onHand: 1, reserved: 0 });
  });
});
