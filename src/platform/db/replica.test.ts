// The read router's rules over fake databases and WAL positions (the real replica: test/ops/read-replica.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/events-harness.ts';
import type { Db } from './db.ts';
import {
  createReplicaReads,
  parseLsn,
  primaryReads,
  type ReadDb,
  type SharedFence,
  type WalPositions,
} from './replica.ts';

const fakeDb = (name: string) =>
  ({ name, kind: 'postgres', close: async () => {} }) as unknown as Db & { name: string };
const quiet = { info: () => {}, warn: () => {} };

/** WAL positions the test moves by hand; `hang` makes the replica's answer never come. */
function positions(start = 100) {
  const state = { primary: start, replayed: start, standby: true, hang: false, primaryDown: false, replicaDown: false };
  const lsn = (n: number) => `0/${n.toString(16).toUpperCase()}`;
  const wal: WalPositions = {
    async primary() {
      if (state.primaryDown) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return lsn(state.primary);
    },
    replica() {
      if (state.hang) return new Promise(() => {});
      if (state.replicaDown) return Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' }));
      return Promise.resolve({ standby: state.standby, lsn: lsn(state.replayed) });
    },
  };
  return { state, wal };
}

const open: ReadDb[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

function router(wal: WalPositions, extra: { shared?: SharedFence; pollTimeoutMs?: number } = {}) {
  const primary = fakeDb('primary');
  const replica = fakeDb('replica');
  const reads = createReplicaReads({
    primary,
    open: async () => replica,
    logger: quiet,
    positions: wal,
    pollMs: 5,
    idleMs: 20,
    ...extra,
  });
  open.push(reads);
  const where = () => reads.run(async (db) => (db as Db & { name: string }).name);
  return { reads, where };
}

const usable = (r: ReadDb) => waitFor(() => r.status().usable && r.status().replayed >= r.status().fence, 5_000, 5);

describe('read replica routing [REQ-SCL-003] [REQ-SCL-005]', () => {
  it('[REQ-SCL-003] parses LSNs into comparable numbers', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(() => parseLsn('nope')).toThrow();
  });

  it('[REQ-SCL-003] without a replica every read runs on the primary and a fence costs nothing', async () => {
    const primary = fakeDb('primary');
    const reads = primaryReads(primary);
    await reads.fence();
    expect(await reads.run(async (db) => db)).toBe(primary);
    expect(reads.status().configured).toBe(false);
  });

  it('[REQ-SCL-003] after a fence, reads use the primary until the replica has replayed it', async () => {
    const { state, wal } = positions();
    const { reads, where } = router(wal);
    await usable(reads);
    expect(await where()).toBe('replica');
    state.primary = 200;
    await reads.fence();
    expect(await where()).toBe('primary');
    state.replayed = 199;
    await waitFor(() => reads.status().replayed === 199n, 5_000, 5);
    expect(await where()).toBe('primary');
    state.replayed = 200;
    await usable(reads);
    expect(await where()).toBe('replica');
  });

  it('[REQ-SCL-003] a fence raised while a replica read runs sends that read to the primary again', async () => {
    const { state, wal } = positions();
    const { reads } = router(wal);
    await usable(reads);
    const ran: string[] = [];
    const result = await reads.run(async (db) => {
      const name = (db as Db & { name: string }).name;
      ran.push(name);
      if (name === 'replica') {
        state.primary = 300;
        await reads.fence();
      }
      return name;
    });
    expect(ran).toEqual(['replica', 'primary']);
    expect(result).toBe('primary');
  });

  it('[REQ-SCL-003] while a fence is reading the primary position, reads use the primary', async () => {
    const { state, wal } = positions();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slowPrimary: WalPositions = { ...wal, primary: async (db) => gate.then(() => wal.primary(db)) };
    const { reads, where } = router(slowPrimary);
    await usable(reads);
    state.primary = 100;
    const fencing = reads.fence();
    expect(await where()).toBe('primary');
    release();
    await fencing;
    expect(await where()).toBe('replica');
  });

  it("[REQ-SCL-003] a fence raised by another process (shared) holds this process's reads too", async () => {
    let shared = 0n;
    const fence: SharedFence = {
      raise: async (lsn) => {
        if (lsn > shared) shared = lsn;
      },
      read: async () => shared,
    };
    const a = positions();
    const b = positions();
    const one = router(a.wal, { shared: fence });
    const two = router(b.wal, { shared: fence });
    await usable(one.reads);
    await usable(two.reads);
    a.state.primary = 500;
    await one.reads.fence();
    expect(await two.where()).toBe('primary');
    b.state.replayed = 500;
    await waitFor(() => two.reads.status().replayed === 500n, 5_000, 5);
    expect(await two.where()).toBe('replica');
  });

  it('[REQ-SCL-003] a fence whose position cannot be read keeps reads on the primary until a poll reads it', async () => {
    const { state, wal } = positions();
    const { reads, where } = router(wal);
    await usable(reads);
    state.primaryDown = true;
    await reads.fence();
    expect(await where()).toBe('primary');
    state.primaryDown = false;
    state.primary = 150;
    await waitFor(() => reads.status().fence === 150n, 5_000, 5);
    expect(await where()).toBe('primary');
    state.replayed = 150;
    await usable(reads);
    expect(await where()).toBe('replica');
  });

  it('[REQ-SCL-005] a replica read that fails with a connection fault runs again on the primary; other errors are thrown', async () => {
    const { wal } = positions();
    const { reads } = router(wal);
    await usable(reads);
    const ran: string[] = [];
    const result = await reads.run(async (db) => {
      const name = (db as Db & { name: string }).name;
      ran.push(name);
      if (name === 'replica') throw Object.assign(new Error('Connection terminated unexpectedly'), {});
      return name;
    });
    expect([ran, result]).toEqual([['replica', 'primary'], 'primary']);
    await usable(reads);
    await expect(
      reads.run(async () => {
        throw Object.assign(new Error('No product x.'), { code: 'catalog.product_not_found' });
      }),
    ).rejects.toThrow('No product x.');
  });

  it('[REQ-SCL-005] a slow, down or non-standby replica goes unused, and is used again once it answers', async () => {
    const { state, wal } = positions();
    const { reads, where } = router(wal, { pollTimeoutMs: 30 });
    await usable(reads);
    state.hang = true;
    await waitFor(() => reads.status().reason === 'slow', 5_000, 5);
    expect(await where()).toBe('primary');
    state.hang = false;
    state.replicaDown = true;
    await waitFor(() => reads.status().reason === 'unreachable', 5_000, 5);
    expect(await where()).toBe('primary');
    state.replicaDown = false;
    state.standby = false;
    await waitFor(() => reads.status().reason === 'not a standby', 5_000, 5);
    expect(await where()).toBe('primary');
    state.standby = true;
    await usable(reads);
    expect(await where()).toBe('replica');
  });

  it('[REQ-SCL-005] a replica that cannot be opened at start is opened later', async () => {
    const { wal } = positions();
    let attempts = 0;
    const replica = fakeDb('replica');
    const reads = createReplicaReads({
      primary: fakeDb('primary'),
      logger: quiet,
      positions: wal,
      pollMs: 5,
      idleMs: 10,
      open: async () => {
        attempts++;
        if (attempts < 3) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        return replica;
      },
    });
    open.push(reads);
    expect(await reads.run(async (db) => db === replica)).toBe(false);
    await usable(reads);
    expect(await reads.run(async (db) => db === replica)).toBe(true);
    expect(attempts).toBe(3);
  });
});
