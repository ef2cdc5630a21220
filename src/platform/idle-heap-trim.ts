// Idle heap trim: once the process has answered no HTTP request for IDLE_GC_MS, V8 collects its garbage once in the
// mode it uses under memory pressure ("last resort": every unreachable object, the young generation shrunk to its
// minimum, free pages handed back to the operating system). Start-up and a burst of traffic leave tens of megabytes
// of garbage and empty pages that an idle process would otherwise hold for as long as it stays idle (V8 only collects
// when it allocates). Measured in docs/benchmarks.md: idle RSS on PostgreSQL 177–179 → 138–146 MB.
//
// The decision is a pure state machine (`createIdleTrim`), driven by a timer in `startIdleHeapTrim`; one collection
// per quiet period, never two in a row without a request between them.
import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';

type Collect = () => void;

interface GcOptions {
  type: 'major';
  execution: 'sync';
  flavor: 'last-resort';
}

/**
 * V8's own `gc` function, without `--expose-gc` on the command line: the flag set at run time exposes it in every
 * context created after, so a new context hands it over. The flag is set back, so the global of contexts made later
 * (and of this one) stays as it was.
 */
export function loadCollector(): Collect {
  setFlagsFromString('--expose-gc');
  try {
    const gc = runInNewContext('gc') as (options: GcOptions) => void;
    return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

export interface IdleTrim {
  /** A request arrived. */
  noteActivity(): void;
  /** Called by a timer; collects when the process has been quiet for `quietMs` since its last activity. */
  tick(now: number): boolean;
}

/** Start-up counts as activity: the first quiet period after it collects the garbage start-up left. */
export function createIdleTrim(options: { quietMs: number; collect: Collect; start: number }): IdleTrim {
  let seen = 0;
  let lastSeen = 0;
  let quietSince = options.start;
  let collectedAt = -1;
  return {
    noteActivity() {
      seen++;
    },
    tick(now) {
      if (seen !== lastSeen) {
        lastSeen = seen;
        quietSince = now;
        return false;
      }
      if (collectedAt === seen || now - quietSince < options.quietMs) return false;
      collectedAt = seen;
      options.collect();
      return true;
    },
  };
}

export interface IdleTrimReport {
  ms: number;
  rssBefore: number;
  rssAfter: number;
}

/** Health checks and scrapes, which a load balancer or Prometheus sends all day: they do not end a quiet period. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

export function isProbe(url: string | undefined): boolean {
  if (!url) return false;
  const q = url.indexOf('?');
  return PROBES.has(q === -1 ? url : url.slice(0, q));
}

/** The server's `request` listener: a request is activity, a probe is not. */
export function activityListener(trim: IdleTrim): (request: { url?: string }) => void {
  return (request) => {
    if (!isProbe(request.url)) trim.noteActivity();
  };
}

/**
 * Counts the server's requests (probes aside) and checks four times per quiet period; the timer never keeps the
 * process alive.
 */
export function startIdleHeapTrim(
  server: Server,
  options: { quietMs: number; onTrim?: (report: IdleTrimReport) => void },
): () => void {
  const gc = loadCollector();
  const collect = () => {
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    gc();
    options.onTrim?.({ ms: performance.now() - started, rssBefore, rssAfter: process.memoryUsage.rss() });
  };
  const trim = createIdleTrim({ quietMs: options.quietMs, collect, start: performance.now() });
  const onRequest = activityListener(trim);
  server.on('request', onRequest);
  const timer = setInterval(() => trim.tick(performance.now()), Math.max(50, Math.floor(options.quietMs / 4)));
  timer.unref();
  return () => {
    clearInterval(timer);
    server.off('request', onRequest);
  };
}

/** The process's wiring (src/main.ts): `idle_gc_duration_seconds` counts and times the collections. */
export function installIdleHeapTrim(
  server: Server,
  options: { quietMs: number; registry: Registry; logger: Pick<Logger, 'debug'> },
): () => void {
  const duration = new Histogram({
    name: 'idle_gc_duration_seconds',
    help: 'Memory-reducing collections run after IDLE_GC_MS without a request, and how long each paused the process',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [options.registry],
  });
  return startIdleHeapTrim(server, {
    quietMs: options.quietMs,
    onTrim: (r) => {
      duration.observe(r.ms / 1000);
      options.logger.debug(
        { ms: Math.round(r.ms), rssBeforeMb: Math.round(r.rssBefore / 1e6), rssAfterMb: Math.round(r.rssAfter / 1e6) },
        'idle: heap collected',
      );
    },
  });
}
