// How far V8 lets its old generation grow past what the last full collection left alive before it collects again.
// V8's own rule allows up to 4× on a machine with memory to spare. Under cold storefront reads each request's row
// text (tens of KB) outlives a young-generation collection, so it is promoted and dies in the old generation: the
// heap climbed from 66 MB alive to 300 MB between full collections, and the process peaked at 366–416 MB. Capped at
// 1.75× (HEAP_GROWTH_PERCENT=75, the default), the same load peaked at 252–284 MB, for about 8 % more of the
// server's CPU per cold page: the live heap is marked more often (docs/benchmarks.md, "A heap that grows 75 %, not
// 300 %").
import { setFlagsFromString } from 'node:v8';

/**
 * V8's `--heap-growing-percent`, set at run time: V8 reads it each time a full collection sets the next limit, so it
 * applies from the next one. 0 leaves V8's own rule (a `--heap-growing-percent` on the command line, if any).
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
