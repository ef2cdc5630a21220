// Concurrency on real PostgreSQL: optimistic concurrency and SKU uniqueness under parallel writes.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { asStaff, fakeAuth } from '../support/fake-auth.ts';
import { needsPostgres, TEST_DATABASE_URL } from '../support/services.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');

describe.skipIf(!TEST_DATABASE_URL)(`catalog under concurrent writes ${needsPostgres}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ authenticate: fakeAuth });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('[REQ-CAT-004] 20 concurrent PATCHes with the same If-Match: exactly one 200, 19 × 412, version 2', async () => {
    const p = (
      await t.http.inject({
        method: 'POST',
        url: '/v1/products',
        headers: STAFF,
        payload: { slug: 'race', name: 'Race' },
      })
    ).json();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.http.inject({
          method: 'PATCH',
          url: `/v1/products/${p.id}`,
          headers: { ...STAFF, 'if-match': '"1"' },
          payload: { name: `Writer ${i}` },
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 412)).toHaveLength(19);
    const winner = results.find((r) => r.statusCode === 200)?.json().name;
    const row = await sql<{
      name: string;
      version: number;
    }>`select name, version from catalog.products where id = ${p.id}`.execute(t.kernel.db.k);
    expect(row.rows[0]).toEqual({ name: winner, version: 2 });
    const events = await sql<{ n: number }>`select count(*)::int as n from platform.outbox
      where type = 'catalog.product.updated' and aggregate_id = ${p.id}`.execute(t.kernel.db.k);
    expect(events.rows[0]?.n).toBe(1);
  });

  it('[REQ-CAT-002] 10 concurrent creates with the same SKU: exactly one 201, 9 × 409 catalog.duplicate_sku', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.http.inject({
          method: 'POST',
          url: '/v1/products',
          headers: STAFF,
          payload: { slug: `same-sku-${i}`, name: 'x', variants: [{ sku: 'SAME-SKU' }] },
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    const conflicts = results.filter((r) => r.statusCode === 409);
    expect(conflicts).toHaveLength(9);
    for (const c of conflicts) expect(c.json().code).toBe('catalog.duplicate_sku');
    const n = await sql<{
      n: number;
    }>`select count(*)::int as n from catalog.products where slug like 'same-sku-%'`.execute(t.kernel.db.k);
    expect(n.rows[0]?.n).toBe(1);
  });
});
