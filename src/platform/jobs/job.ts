// What a module hands the kernel's scheduler: a named job run on an interval, once per tick
// across all processes.
import type { Ctx } from '../context.ts';

export interface ScheduledJob {
  /** Unique, `<module>.<job>`, e.g. `inventory.release_expired`. */
  name: string;
  intervalMs: number;
  run(ctx: Ctx): Promise<void>;
}
