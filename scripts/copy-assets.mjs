// After `tsc -p tsconfig.build.json`: copy the non-TypeScript files the app reads at run time
// (SQL migrations, .proto files, email templates) from src/ into dist/ at the same relative paths.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let n = 0;
function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(sql|proto|mjml|hbs)$/.test(e.name)) {
      cpSync(p, join(root, 'dist', relative(join(root, 'src'), p)));
      n++;
    }
  }
}
walk(join(root, 'src'));
console.log(`copied ${n} asset files into dist/`);
