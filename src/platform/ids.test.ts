import { describe, expect, it } from 'vitest';
import { isId, newId, newSecret } from './ids.ts';

describe('ids [REQ-KER-016]', () => {
  it('[REQ-KER-016] are prefixed, unique and sort in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newId('ord'));
    expect(new Set(ids).size).toBe(5000);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 10)) expect(isId(id, 'ord')).toBe(true);
    expect(isId(ids[0] ?? '', 'prod')).toBe(false);
    expect(isId('ord_../../etc/passwd')).toBe(false);
  });
  it('[REQ-KER-016] secrets are 256-bit base64url', () => {
    const s = newSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(s);
  });
});
