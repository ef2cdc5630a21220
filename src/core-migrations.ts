// The shop's own migrations in the order app.ts applies them: the kernel's, then each built-in module's, in the
// modules' dependency order. Only paths, so main.ts can match a new embedded database's template
// (src/platform/db/pglite-template.ts) before any module loads, and `npm install` can make one
// (scripts/pglite-template.ts). The modules declare the same directories in their definitions, and
// test/kernel/core-migrations.test.ts checks that the two lists agree. Were they to differ, a first start would only
// copy no template, or apply the missing migrations itself.
import { fileURLToPath } from 'node:url';
import type { MigrationSource } from './platform/db/migration-file.ts';

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/** The kernel's own migrations (outbox, inbox, jobs, idempotency keys). */
export const PLATFORM_MIGRATIONS: MigrationSource = { module: 'platform', dir: here('./platform/db/migrations/') };

const moduleMigrations = (module: string): MigrationSource => ({
  module,
  dir: here(`./modules/${module}/migrations/`),
});

export const CORE_MIGRATIONS: readonly MigrationSource[] = [
  PLATFORM_MIGRATIONS,
  ...[
    'identity',
    'inventory',
    'catalog',
    'search',
    'pricing',
    'cart',
    'payments',
    'orders',
    'webhooks',
    'notifications',
  ].map(moduleMigrations),
];
