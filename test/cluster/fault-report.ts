// What clients saw around a fault: which requests failed (5xx or no answer), whether they all fall inside the fault
// window (fault start → fault end + the recovery allowance), and how long after the fault the first success came.
import type { LoadReport, RequestRecord } from './load.ts';

/** After the fault ends, clients may still see errors this long (health checks, reconnects, retries). */
export const RECOVERY_ALLOWANCE_MS = 5000;

export interface FaultWindow {
  start: number;
  end: number;
}

export const isFailure = (r: RequestRecord) => r.status === 0 || r.status >= 500;

/** A failed request belongs to the window when its time in flight overlaps [start, end + allowance]. */
export const insideWindow = (r: RequestRecord, w: FaultWindow) =>
  r.end >= w.start && r.start <= w.end + RECOVERY_ALLOWANCE_MS;

export interface FaultSummary {
  fault: string;
  faultMs: number;
  requests: number;
  errors: number;
  errorsOutsideWindow: number;
  /** First and last failure, ms after the fault started (null: none). */
  firstErrorMs: number | null;
  lastErrorMs: number | null;
  /** From the fault's end to the end of the first successful request sent after it (null: none). */
  recoveryMs: number | null;
  ordersAcknowledged: number;
  ordersLost: number;
  ordersNotPaid: number;
  unresolved: number;
  refused: number;
  abandoned: number;
  /** Failures by step and status/code, e.g. {"order 503 service.unavailable": 4}. */
  errorKinds: Record<string, number>;
  /** Flows refused or given up, by step and last answer. */
  flowsEndedBy: Record<string, number>;
}

export function summarize(
  fault: string,
  w: FaultWindow,
  report: LoadReport,
  orders: { lost: number; notPaid: number },
): FaultSummary {
  const failures = report.requests.filter(isFailure);
  const outside = failures.filter((r) => !insideWindow(r, w));
  const firstOk = report.requests
    .filter((r) => r.status >= 200 && r.status < 300 && r.start >= w.end)
    .sort((a, b) => a.end - b.end)[0];
  const errorKinds: Record<string, number> = {};
  for (const r of failures) {
    const kind = `${r.step} ${r.status}${r.code ? ` ${r.code}` : ''}`;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  }
  const count = (o: string) => report.flows.filter((f) => f.outcome === o).length;
  const flowsEndedBy: Record<string, number> = {};
  for (const f of report.flows) if (f.refusal) flowsEndedBy[f.refusal] = (flowsEndedBy[f.refusal] ?? 0) + 1;
  const ends = failures.map((r) => r.end - w.start);
  return {
    fault,
    faultMs: w.end - w.start,
    requests: report.requests.length,
    errors: failures.length,
    errorsOutsideWindow: outside.length,
    firstErrorMs: ends.length ? Math.min(...ends) : null,
    lastErrorMs: ends.length ? Math.max(...ends) : null,
    recoveryMs: firstOk ? firstOk.end - w.end : null,
    ordersAcknowledged: count('placed'),
    ordersLost: orders.lost,
    ordersNotPaid: orders.notPaid,
    unresolved: count('unresolved'),
    refused: count('refused'),
    abandoned: count('abandoned'),
    errorKinds,
    flowsEndedBy,
  };
}

/** The failures outside the window, relative to the fault's start, for an assertion message. */
export function failuresOutside(report: LoadReport, w: FaultWindow, max = 10): string[] {
  return report.requests
    .filter((r) => isFailure(r) && !insideWindow(r, w))
    .slice(0, max)
    .map((r) => `${r.step} ${r.status} ${r.code ?? ''} at +${r.start - w.start}..+${r.end - w.start} ms`);
}
