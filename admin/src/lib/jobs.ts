// Jobs as staff read them: an interval in words, and a scheduled job's last run in one line.

export function every(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}

/** `never`, `running since …`, `failed …: error`, or `ok …, 12 ms`. */
export function lastRun(
  j: {
    running: boolean;
    lastStartedAt: string | null;
    lastFinishedAt: string | null;
    lastDurationMs: number | null;
    lastError: string | null;
  },
  when: (iso: string | null) => string,
): string {
  if (j.running) return `running since ${when(j.lastStartedAt)}`;
  if (!j.lastStartedAt) return 'never';
  const at = when(j.lastFinishedAt ?? j.lastStartedAt);
  if (j.lastError) return `failed ${at}: ${j.lastError}`;
  return `ok ${at}${j.lastDurationMs === null ? '' : `, ${j.lastDurationMs} ms`}`;
}
