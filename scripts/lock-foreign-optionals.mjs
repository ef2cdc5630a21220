// The npm registry mirror this project is built against serves only some platform binaries (e.g. Biome's
// linux-x64 but not its darwin/win32/musl builds), so `npm install` leaves those optional dependencies out of
// package-lock.json and `npm ci` then refuses the lockfile as out of sync. This adds lock entries for the
// missing foreign-platform optionals (never installed on this platform, so never fetched).
// Run after `npm install`: node scripts/lock-foreign-optionals.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
const PLATFORM =
  /[-/](android|darwin|linux|win32|freebsd|openharmony)-(arm64|x64|ia32|arm|riscv64|ppc64|s390x)(?:-(musl|gnu|gnueabihf|msvc))?$/;
let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const prefix = path ? `${path}/node_modules/` : 'node_modules/';
    if (pkgs[`${prefix}${name}`] || pkgs[`node_modules/${name}`]) continue;
    const m = PLATFORM.exec(name);
    if (!m || !/^\d+\.\d+\.\d+/.test(range)) continue;
    const entry = { version: range, cpu: [m[2]], dev: Boolean(meta.dev), optional: true, os: [m[1]] };
    if (m[3] === 'musl') entry.libc = ['musl'];
    else if (m[1] === 'linux') entry.libc = ['glibc'];
    pkgs[`node_modules/${name}`] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-foreign-optionals: added ${added} entries`);
