// Reads an app's /metrics over HTTP (app.inject) into samples, for metric assertions.
import type { App } from '../../src/platform/http/server.ts';

export type Samples = Map<string, number>;

/** `name{a="x",b="y"}` with labels sorted, the key of a sample. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = l[2] as string;
    out.set(sampleKey(m[1] as string, labels), Number(m[3]));
  }
  return out;
}

export async function scrape(http: App): Promise<{ text: string; samples: Samples }> {
  const res = await http.inject({ method: 'GET', url: '/metrics' });
  if (res.statusCode !== 200) throw new Error(`/metrics: ${res.statusCode}`);
  return { text: res.body, samples: parseMetrics(res.body) };
}

/** A sample's value, 0 when the series does not exist (yet). */
export function sampleValue(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  return samples.get(sampleKey(name, labels)) ?? 0;
}

/** Scrapes until `ok(samples)` holds (a liveness bound, not a timing assertion); returns the last samples. */
export async function scrapeUntil(http: App, ok: (s: Samples) => boolean, boundMs = 30_000): Promise<Samples> {
  const until = Date.now() + boundMs;
  for (;;) {
    const { samples } = await scrape(http);
    if (ok(samples) || Date.now() > until) return samples;
    await new Promise((r) => setTimeout(r, 50));
  }
}
