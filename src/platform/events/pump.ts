// A worker loop: runs `work` until it reports nothing left, then sleeps until woken or until the
// poll interval elapses (the safety net). Wake-ups during a run make it run once more.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../observability/logger.ts';

export interface Pump {
  start(): void;
  wake(): void;
  /** Resolves once no run is going on (the current run, with the rounds it asks for, has ended). */
  idle(): Promise<void>;
  /** Stops the loop and waits (at most `graceMs`) for the current run to finish. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `work` answers whether it may have left work (then it runs again at once); `first` is true for the first run after a
 * wake-up or a poll, false when it runs again because the previous run said so.
 */
export function createPump(
  name: string,
  work: (first: boolean) => Promise<boolean>,
  pollMs: number,
  logger: Logger,
): Pump {
  let stopped = true;
  let again = false;
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // The loop runs in the async context the pump was created in (start-up), never in that of the request whose
  // commit woke it: its statements, logs and timers belong to the worker, not to that request.
  const detached = AsyncLocalStorage.snapshot();

  const schedule = (ms: number) => {
    if (timer) clearTimeout(timer);
    if (!stopped) timer = setTimeout(run, ms);
  };

  async function loop(): Promise<void> {
    try {
      do {
        again = false;
        let first = true;
        while (!stopped && (await work(first))) {
          first = false; // more work found: keep going
        }
      } while (again && !stopped);
    } catch (e) {
      logger.warn({ err: (e as Error).message, worker: name }, 'worker run failed; retrying after the poll interval');
    } finally {
      current = undefined;
      schedule(pollMs);
    }
  }

  function run(): void {
    if (stopped) return;
    if (current) {
      again = true;
      return;
    }
    current = detached(loop);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      run();
    },
    wake: run,
    async idle() {
      while (current) await current;
    },
    async stop(graceMs = 5_000) {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (!current) return;
      let t: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise<void>((r) => (t = setTimeout(r, graceMs)))]);
      clearTimeout(t);
    },
  };
}
