// The list of the shop's migrations that main.ts matches a template with (src/core-migrations.ts) is the list the
// app applies: the kernel's and each built-in module's own, in the same order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_MIGRATIONS, PLATFORM_MIGRATIONS } from '../../src/core-migrations.ts';
import { readMigrations } from '../../src/platform/db/migrate.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ db: 'pglite', services: false, workers: false });
});
afterAll(() => t?.close());

describe('the core migrations list [REQ-KER-028]', () => {
  it("[REQ-KER-028] names exactly the migrations the app's modules apply, in their order", () => {
    const applied = [PLATFORM_MIGRATIONS, ...t.modules.flatMap((m) => (m.migrations ? [m.migrations] : []))];
    expect(CORE_MIGRATIONS).toEqual(applied);
    expect(CORE_MIGRATIONS.flatMap(readMigrations).length).toBeGreaterThan(30);
  });
});
