// The child process of pglite-initdb.ts: PGlite's initdb into the directory given as the argument, then exit.
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_SHARED_BUFFERS } from './pglite-initdb.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: pglite-initdb-child <dataDir>');
const db = await PGlite.create({
  dataDir,
  startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
});
await db.close();
