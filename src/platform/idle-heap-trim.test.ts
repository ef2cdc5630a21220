import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { activityListener, createIdleTrim, isProbe, loadCollector, startIdleHeapTrim } from './idle-heap-trim.ts';

describe('[REQ-KER-026] idle heap trim', () => {
  it('collects once per quiet period: after start-up, then only after new activity has gone quiet', () => {
    let collections = 0;
    const trim = createIdleTrim({ quietMs: 1000, collect: () => collections++, start: 0 });
    expect(trim.tick(999)).toBe(false);
    expect(trim.tick(1000)).toBe(true);
    expect(collections).toBe(1);
    // Quiet goes on: nothing more to collect.
    expect(trim.tick(5000)).toBe(false);
    expect(collections).toBe(1);
    // Requests keep coming: each tick sees new activity, so the quiet period starts over.
    for (const now of [6000, 7000, 8000, 9000]) {
      trim.noteActivity();
      expect(trim.tick(now)).toBe(false);
    }
    expect(trim.tick(9999)).toBe(false);
    expect(trim.tick(10_000)).toBe(true);
    expect(collections).toBe(2);
  });

  it('leaves health checks and scrapes out of the activity', () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/metrics?x=1']) expect(isProbe(url)).toBe(true);
    for (const url of ['/v1/products', '/healthz/x', '/', undefined]) expect(isProbe(url)).toBe(false);
  });

  it("the server's listener: a request starts the quiet period over, a health check or scrape does not", () => {
    let collections = 0;
    const trim = createIdleTrim({ quietMs: 1000, collect: () => collections++, start: 0 });
    const onRequest = activityListener(trim);
    onRequest({ url: '/healthz' });
    onRequest({ url: '/metrics' });
    expect(trim.tick(1000)).toBe(true);
    onRequest({ url: '/v1/products?limit=20' });
    expect(trim.tick(5000)).toBe(false);
    expect(trim.tick(5999)).toBe(false);
    expect(trim.tick(6000)).toBe(true);
    expect(collections).toBe(2);
  });

  it("frees garbage and returns the heap's empty pages, without exposing gc to the code that runs", () => {
    const collect = loadCollector();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    let held: unknown[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, text: `item ${i}` }));
    const before = process.memoryUsage().heapUsed;
    expect(held.length).toBe(400_000);
    held = undefined;
    collect();
    const after = process.memoryUsage().heapUsed;
    // 400,000 small objects and strings are well over 20 MB of heap.
    expect(before - after).toBeGreaterThan(20 * 1024 * 1024);
  });

  describe('on a real server', () => {
    let server: Server | undefined;
    let stop: (() => void) | undefined;
    afterEach(async () => {
      stop?.();
      await new Promise((r) => server?.close(r));
    });

    it('collects when the requests stop and keeps answering afterwards', async () => {
      server = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const reports: { ms: number; rssBefore: number; rssAfter: number }[] = [];
      stop = startIdleHeapTrim(server, { quietMs: 100, onTrim: (r) => reports.push(r) });
      expect(await (await fetch(`${base}/v1/x`)).text()).toBe('ok');
      // A liveness bound, not a timing check: the collection follows the first quiet 100 ms.
      const until = Date.now() + 30_000;
      while (reports.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports[0]?.rssAfter).toBeGreaterThan(0);
      expect(await (await fetch(`${base}/v1/y`)).text()).toBe('ok');
    });
  });
});
