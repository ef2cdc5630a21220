// `npm run db:types`: writes the Kysely table types of every module (`<module>/db.generated.ts`), generated with
// kysely-codegen from a throwaway PostgreSQL database (created on TEST_DATABASE_URL's server, else the local one)
// that every migration has been applied to; see db-types/generate.ts. `npm run db:types:check` generates them the
// same way and exits 1, naming each file, when a committed file differs or is no longer generated (CI runs it, so
// a migration that breaks a typed query fails `tsc`).
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTypes, orphans, ROOT, readOrEmpty, staleFiles, withTempDatabase } from './db-types/generate.ts';

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const files = await withTempDatabase(process.env.TEST_DATABASE_URL || DEFAULT_SERVER, generateTypes);
  if (values.check) {
    const stale = staleFiles(files);
    for (const p of stale) process.stderr.write(`db:types:check: ${p} is out of date (run npm run db:types)\n`);
    if (stale.length) return 1;
    process.stdout.write(`db:types:check: ${files.length} files up to date\n`);
    return 0;
  }
  for (const p of orphans(files)) {
    unlinkSync(join(ROOT, p));
    process.stdout.write(`removed ${p}\n`);
  }
  for (const f of files) {
    if (readOrEmpty(f.path) === f.text) continue;
    writeFileSync(join(ROOT, f.path), f.text);
    process.stdout.write(`wrote ${f.path}\n`);
  }
  process.stdout.write(`db:types: ${files.length} files\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`db:types failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
