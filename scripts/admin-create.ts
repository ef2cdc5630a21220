// `npm run admin:create -- --email ops@example.com --password '…'`: creates an admin (or grants the
// admin role to an existing account with that email) in the configured database. Idempotent.
import { parseArgs } from 'node:util';
import { PLATFORM_MIGRATIONS } from '../src/app.ts';
import { createIdentityModule } from '../src/modules/identity/index.ts';
import { ConfigError, loadConfig } from '../src/platform/config.ts';
import { systemCtx } from '../src/platform/context.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openDatabase } from '../src/platform/kernel.ts';
import { createLogger } from '../src/platform/observability/logger.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' } } });
  if (!values.email || !values.password) {
    process.stderr.write('usage: npm run admin:create -- --email <email> --password <password>\n');
    return 2;
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const identity = createIdentityModule({ kernel: { config, db, logger: createLogger('warn') } });
    await migrate(db, [PLATFORM_MIGRATIONS, ...(identity.module.migrations ? [identity.module.migrations] : [])]);
    const r = await identity.services.staff.ensureAdmin(systemCtx('cli.admin_create'), values.email, values.password);
    process.stdout.write(`${r.created ? 'created' : 'already present; admin role ensured'}: ${r.userId}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const msg = e instanceof ConfigError ? e.message : `admin:create failed: ${(e as Error).message}`;
    process.stderr.write(`${msg}\n`);
    process.exit(1);
  },
);
