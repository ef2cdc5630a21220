import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

let t = performance.now();
const a = await PGlite.create({ extensions: { pg_trgm } });
console.log('fresh', performance.now() - t);
const dump = await a.dumpDataDir('gzip');
console.log('dump size', dump.size);
t = performance.now();
const b = await PGlite.create({ extensions: { pg_trgm }, loadDataDir: dump });
await b.query('select 1');
console.log('restore', performance.now() - t);
t = performance.now();
const c = await PGlite.create({ extensions: { pg_trgm }, loadDataDir: dump });
await c.query('select 1');
console.log('restore2', performance.now() - t);
