// One delivery attempt over the network: a POST to the vetted address (the URL's host still names the server for
// Host and TLS), no redirects followed, one deadline for the whole exchange, the response body read and discarded.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { VettedTarget } from './target-guard.ts';

export interface AttemptResult {
  /** The response status, when one arrived. */
  statusCode: number | null;
  /** Why there was no 2xx answer (network error, timeout, status); null on success. */
  error: string | null;
  latencyMs: number;
  ok: boolean;
}

/** Answers lookups of the target's name with the address that was checked, whatever DNS says now. */
function pinnedLookup(target: VettedTarget): LookupFunction {
  return (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else callback(null, target.address, target.family);
  };
}

const MAX_BODY = 64 * 1024;

export function postWebhook(
  target: VettedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<AttemptResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: elapsed() });
    };
    const req = send(
      target.url,
      {
        method: 'POST',
        lookup: pinnedLookup(target),
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Emporium-Webhooks/1',
        },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // The answer's body is not needed: a long one is cut off rather than read to the end.
          if (read > MAX_BODY) res.destroy();
        });
        const done = () => {
          const ok = status >= 200 && status < 300;
          finish({ statusCode: status, ok, error: ok ? null : `HTTP ${status}` });
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ statusCode: null, ok: false, error: `timeout after ${timeoutMs} ms` });
      req.destroy(new Error('timeout'));
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      finish({ statusCode: null, ok: false, error: (e.code ?? e.message).slice(0, 500) });
    });
    req.end(body);
  });
}
