import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { makeDirs } from '../make-dirs.ts';
import { type AnyDb, createDb, type Db, statementLog } from './db.ts';
import { installTypeParsers } from './pg-types.ts';
import { initdbOnce, PGLITE_SHARED_BUFFERS } from './pglite-initdb.ts';
import { usePreparedStatements } from './prepared-statements.ts';

export interface PgliteOptions {
  /** A directory to persist into, or undefined for memory. */
  dataDir: string | undefined;
  /** A `dumpDataDir()` tarball to start from instead of running initdb (tests: ~1 s instead of several). */
  loadDataDir?: Blob;
  /** Named prepared statements (default on; see prepared-statements.ts). */
  preparedStatements?: boolean;
}

/**
 * Embedded PostgreSQL (PGlite, WASM). It has exactly one connection: the pool has max 1, so
 * Kysely serialises transactions instead of interleaving them (the reason we do not use kysely-pglite).
 */
export async function openPglite(options: PgliteOptions): Promise<Db> {
  installTypeParsers();
  // A new directory gets its cluster from a child process (pglite-initdb.ts); a tarball is unpacked here.
  if (options.dataDir && options.loadDataDir) makeDirs(options.dataDir);
  else if (options.dataDir) await initdbOnce(options.dataDir);
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { pg_trgm },
    // PGlite's default 128 MB of shared buffers live in the WASM memory from the start (about 110 MB of resident
    // memory); an embedded shop's working set fits in 16 MB, and the pages are in the OS cache anyway.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
  });
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0 });
  if (options.preparedStatements !== false) pool.on('connect', (client) => usePreparedStatements(client));
  const counter = { n: 0 };
  const health = { up: true };
  const k = new Kysely<AnyDb>({
    dialect: new PostgresDialect({ pool }),
    log: statementLog(counter, health),
  });
  return createDb(
    'pglite',
    k,
    counter,
    health,
    async () => {
      await pglite.close();
    },
    pool,
  );
}
