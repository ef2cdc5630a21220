// A local stand-in for Sentry's ingest: a plain node:http server that accepts envelopes at
// POST /api/<project>/envelope/ (gzip or not), keeps every raw body as received, and parses the items.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

// biome-ignore lint/suspicious/noExplicitAny: events are arbitrary JSON the tests read field by field.
export type SentryEvent = Record<string, any>;

export interface Envelope {
  /** The decoded body exactly as it came over the wire (after gunzip). */
  raw: string;
  header: Record<string, unknown>;
  items: { header: Record<string, unknown>; payload: unknown }[];
}

export interface SentryReceiver {
  /** A DSN that points at this receiver (project 1). */
  dsn: string;
  port: number;
  envelopes: Envelope[];
  /** Every `event` item received so far, in arrival order. */
  events(): SentryEvent[];
  /** Waits (bounded) until an event matches; throws with what arrived if none does in time. */
  waitForEvent(match: (e: SentryEvent) => boolean, timeoutMs?: number): Promise<SentryEvent>;
  close(): Promise<void>;
}

/** Envelope format: a header line, then per item a header line and a payload (`length` bytes, or one line). */
export function parseEnvelope(body: Buffer): Envelope {
  let pos = 0;
  const line = (): Buffer => {
    const end = body.indexOf(0x0a, pos);
    const out = body.subarray(pos, end === -1 ? body.length : end);
    pos = end === -1 ? body.length : end + 1;
    return out;
  };
  const header = JSON.parse(line().toString('utf8')) as Record<string, unknown>;
  const items: Envelope['items'] = [];
  while (pos < body.length) {
    const text = line().toString('utf8');
    if (text.trim() === '') continue;
    const itemHeader = JSON.parse(text) as Record<string, unknown>;
    let payload: Buffer;
    if (typeof itemHeader.length === 'number') {
      payload = body.subarray(pos, pos + itemHeader.length);
      pos += itemHeader.length + 1;
    } else {
      payload = line();
    }
    const s = payload.toString('utf8');
    let parsed: unknown = s;
    try {
      parsed = JSON.parse(s);
    } catch {
      // an attachment or other non-JSON payload stays a string
    }
    items.push({ header: itemHeader, payload: parsed });
  }
  return { raw: body.toString('utf8'), header, items };
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const envelopes: Envelope[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.method === 'POST' && /^\/api\/\d+\/envelope\/?$/.test(req.url?.split('?')[0] ?? '')) {
        envelopes.push(parseEnvelope(body));
        for (const wake of waiters) wake();
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const events = () =>
    envelopes.flatMap((e) => e.items.filter((i) => i.header.type === 'event').map((i) => i.payload as SentryEvent));
  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    port,
    envelopes,
    events,
    async waitForEvent(match, timeoutMs = 20_000) {
      const found = () => events().find(match);
      const now = found();
      if (now) return now;
      return await new Promise<SentryEvent>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = events().map((e) => `${e.level} ${e.transaction ?? ''} ${JSON.stringify(e.tags)}`);
          reject(new Error(`no matching Sentry event within ${timeoutMs} ms; received: ${seen.join(' | ') || 'none'}`));
        }, timeoutMs);
        const check = () => {
          const e = found();
          if (!e) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(e);
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
