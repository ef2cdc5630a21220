// Makes the embedded database's templates for the migrations on disk (src/platform/db/pglite-template.ts): the plain
// one, so a first `npm start` copies it instead of running initdb and every migration, and the demo template, which
// also holds the demo data, so a first start with it has nothing to seed. `npm install` runs this through
// scripts/prepare.mjs; `npm run pglite:template` after changing a migration or the code (until then a first start
// makes its database and seeds it itself).
import { CORE_MIGRATIONS } from '../src/core-migrations.ts';
import { seedDemoDatabase } from '../src/demo-data.ts';
import { makeDemoTemplate, makeTemplate } from '../src/platform/db/pglite-template-maker.ts';

const timed = async (what: string, make: () => ReturnType<typeof makeTemplate>) => {
  const started = performance.now();
  const { dir, made } = await make();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(made ? `pglite: made ${what} in ${seconds} s (${dir})` : `pglite: ${what} up to date (${dir})`);
};
await timed("the embedded database's template", () => makeTemplate(CORE_MIGRATIONS));
await timed('the demo template (with the demo data)', () => makeDemoTemplate(CORE_MIGRATIONS, seedDemoDatabase));
