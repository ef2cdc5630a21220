// Unref'd timers the sandbox can cancel all at once when it closes.
export interface Timers {
  /** Runs `fn` after `ms` unless the timers are cleared first. */
  later(ms: number, fn: () => void): void;
  clear(): void;
}

export function createTimers(): Timers {
  const pending = new Set<NodeJS.Timeout>();
  return {
    later(ms, fn) {
      const t = setTimeout(() => {
        pending.delete(t);
        fn();
      }, ms);
      t.unref();
      pending.add(t);
    },
    clear() {
      for (const t of pending) clearTimeout(t);
      pending.clear();
    },
  };
}
