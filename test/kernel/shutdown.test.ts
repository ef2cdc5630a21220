import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type EmporiumApp } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { listen } from '../support/listen.ts';
import { openTestDb } from '../support/test-db.ts';

let t: EmporiumApp | undefined;
afterAll(async () => {
  await t?.close().catch(() => {});
});

describe('graceful shutdown [REQ-KER-007]', () => {
  it('[REQ-KER-007] close() finishes in-flight requests, refuses new ones, then closes the database', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started: () => void = () => {};
    const inFlight = new Promise<void>((r) => {
      started = r;
    });
    // The app owns its (in-memory) database here, so closing the app must close it.
    const { db } = await openTestDb({ kind: 'pglite' });
    t = await createApp(loadConfig({ DATABASE_URL: 'memory://', LOG_LEVEL: 'silent' }), {
      db,
      extraRoutes: (app) => {
        app.get('/v1/test/slow', async () => {
          started();
          await gate;
          return { done: true };
        });
      },
    });
    const base = await listen(t.http);
    const slow = fetch(`${base}/v1/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await inFlight;
    const closing = t.http.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    release();
    expect(await slow).toEqual({ status: 200, body: { done: true } });
    await closing;
    await expect(t.kernel.db.ping()).rejects.toThrow();
  });
});
