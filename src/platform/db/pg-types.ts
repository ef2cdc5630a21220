// Type parsing shared by both adapters: bigint (int8) → JS number when safe, so money stays a number;
// numeric stays a string (never a float); timestamps → Date (node-postgres default).
import pg from 'pg';

let installed = false;

export function installTypeParsers(): void {
  if (installed) return;
  installed = true;
  pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${v} exceeds the safe integer range`);
    return n;
  });
}
