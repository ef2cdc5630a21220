// A real HTTP receiver for webhook tests: listens on an ephemeral loopback port, verifies EVERY request with the
// standardwebhooks package against the secrets it is given, records what arrived, and answers as the test says
// (a status code, or never).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed and verified body (`{type, timestamp, eventId, data}`), or undefined when no secret verified it. */
  payload: { type: string; timestamp: string; eventId: string; data: Record<string, unknown> } | undefined;
  /** Which of the receiver's secrets verified the signature. */
  verifiedWith: string[];
}

/** What to answer to the n-th request (1-based) of one webhook-id: a status code, or 'hang' (never answer). */
export type Behaviour = (r: Received, nthOfId: number) => number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Secrets to verify with; every request must verify with at least one. */
  secrets: string[];
  behaviour: Behaviour;
  /** Requests no secret verified. */
  unverified(): Received[];
  ofType(type: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(behaviour: Behaviour = () => 200): Promise<Receiver> {
  const hanging = new Set<import('node:http').ServerResponse>();
  const counts = new Map<string, number>();
  const rx: Receiver = {
    url: '',
    received: [],
    secrets: [],
    behaviour,
    unverified: () => rx.received.filter((r) => r.verifiedWith.length === 0),
    ofType: (type) => rx.received.filter((r) => r.payload?.type === type),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers;
      const verifiedWith: string[] = [];
      let payload: Received['payload'];
      for (const secret of rx.secrets) {
        try {
          payload = new Webhook(secret).verify(body, headers as Record<string, string>) as Received['payload'];
          verifiedWith.push(secret);
        } catch {
          // not this secret
        }
      }
      const webhookId = String(headers['webhook-id'] ?? '');
      const r: Received = { webhookId, headers, body, payload, verifiedWith };
      rx.received.push(r);
      const n = (counts.get(webhookId) ?? 0) + 1;
      counts.set(webhookId, n);
      const answer = rx.behaviour(r, n);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return rx;
}

/** Polls `check` until it holds or the deadline passes (then fails with `what`). */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
