// Whether Redis answers, as this process sees it. Redis is optional: while it is down or slower than
// REDIS_COMMAND_TIMEOUT_MS, the cache and the rate limits work per process (a warning log, `dependency_up{redis}` 0),
// and a probe pings it every second; the first answer switches back, after dropping the shared cache namespace
// (invalidations sent while Redis was away were lost, so what it still holds may be stale).
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface RedisHealth {
  readonly up: boolean;
  /** A command failed: switch to per-process mode (once) and count it. */
  failed(e: unknown): void;
  /** Runs once Redis answers again after an outage (before `up` turns true). */
  onRecovered(fn: () => Promise<void>): void;
  close(): void;
}

function kindOf(e: unknown): string {
  const message = (e as Error | undefined)?.message ?? '';
  if (/timed? ?out/i.test(message)) return 'timeout';
  return 'connection';
}

export function watchRedis(redis: Redis, deps: { logger: Logger; metrics: Metrics; probeMs?: number }): RedisHealth {
  const { logger, metrics } = deps;
  let up = true;
  let probe: NodeJS.Timeout | undefined;
  let probing = false;
  let closed = false;
  const recovered: Array<() => Promise<void>> = [];
  metrics.dependencyUp.set({ dependency: 'redis' }, 1);

  async function tryRecover(): Promise<void> {
    if (up || probing || closed) return;
    probing = true;
    try {
      await redis.ping();
      for (const fn of recovered) await fn();
      up = true;
      clearInterval(probe);
      probe = undefined;
      metrics.dependencyUp.set({ dependency: 'redis' }, 1);
      logger.info('redis available again');
    } catch {
      // still down: the next probe tries again
    } finally {
      probing = false;
    }
  }

  const health: RedisHealth = {
    get up() {
      return up;
    },
    failed(e) {
      metrics.dependencyErrors.inc({ dependency: 'redis', kind: kindOf(e) });
      if (!up || closed) return;
      up = false;
      metrics.dependencyUp.set({ dependency: 'redis' }, 0);
      logger.warn(
        { err: (e as Error | undefined)?.message },
        'redis unavailable: cache and rate limits are per-process until it returns',
      );
      probe = setInterval(() => void tryRecover(), deps.probeMs ?? 1000);
      probe.unref();
    },
    onRecovered(fn) {
      recovered.push(fn);
    },
    close() {
      closed = true;
      clearInterval(probe);
    },
  };
  // ioredis reports connection errors as events while it reconnects on its own.
  redis.on('error', (e: Error) => health.failed(e));
  redis.on('ready', () => void tryRecover());
  return health;
}
