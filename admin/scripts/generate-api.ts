// `npm run admin:api` writes admin/src/api/schema.d.ts from the OpenAPI document the server builds;
// `npm run admin:api:check` exits 1 when the committed file differs from what would be generated.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { buildOpenApiDocument, currentSchema, SCHEMA_FILE, schemaSource } from './api-schema.ts';

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const source = await schemaSource(await buildOpenApiDocument());
  const name = relative(process.cwd(), SCHEMA_FILE);
  if (check) {
    if (currentSchema() !== source) {
      process.stderr.write(`admin:api:check: ${name} is out of date (run npm run admin:api)\n`);
      return 1;
    }
    process.stdout.write(`admin:api:check: ${name} is up to date\n`);
    return 0;
  }
  if (currentSchema() === source) process.stdout.write(`admin:api: ${name} unchanged\n`);
  else {
    writeFileSync(SCHEMA_FILE, source);
    process.stdout.write(`admin:api: wrote ${name}\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`admin:api failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
