// Makes the embedded database's template for the migrations on disk (src/platform/db/pglite-template.ts), so a first
// `npm start` copies it instead of running initdb and every migration. `npm install` runs this through
// scripts/prepare.mjs; `npm run pglite:template` after changing a migration (until then a first start makes its
// database itself).
import { CORE_MIGRATIONS } from '../src/core-migrations.ts';
import { makeTemplate } from '../src/platform/db/pglite-template-maker.ts';

const started = performance.now();
const { dir, made } = await makeTemplate(CORE_MIGRATIONS);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  made
    ? `pglite: made the embedded database's template in ${seconds} s (${dir})`
    : `pglite: template up to date (${dir})`,
);
