// Webhook endpoints and deliveries as staff read them: the event types an endpoint listens to, a delivery's last
// attempt in one line, an endpoint's state.

/** `*` (every type, also ones added later) or the picked types, sorted; never an empty list. */
export function pickedEvents(all: boolean, picked: readonly string[]): string[] | undefined {
  if (all) return ['*'];
  const out = [...new Set(picked)].sort();
  return out.length ? out : undefined;
}

export function describeEvents(events: readonly string[]): string {
  if (events.includes('*')) return 'Every event type';
  return events.join(', ');
}

export interface DeliveryLike {
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
}

/** The last attempt: `HTTP 200 in 12 ms`, `timeout after 400 ms`, or `not tried yet`. */
export function lastAttempt(d: DeliveryLike): string {
  if (d.attempts === 0) return 'not tried yet';
  const took = d.lastLatencyMs === null ? '' : ` in ${d.lastLatencyMs} ms`;
  if (d.lastStatusCode !== null) {
    return `HTTP ${d.lastStatusCode}${took}${d.lastError ? ` (${d.lastError})` : ''}`;
  }
  return `${d.lastError ?? 'failed'}${took}`;
}

export function endpointState(e: { enabled: boolean; disabledReason: string | null }): string {
  if (e.enabled) return 'Enabled';
  return e.disabledReason === 'failures' ? 'Disabled after failures' : 'Disabled';
}
