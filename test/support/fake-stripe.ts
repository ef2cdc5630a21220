// A local fake of the few Stripe endpoints the Stripe provider calls (form-encoded requests,
// Idempotency-Key honoured), for the official SDK pointed at 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

// biome-ignore lint/suspicious/noExplicitAny: JSON objects of the fake.
type Obj = Record<string, any>;

function parseForm(text: string): Obj {
  const out: Obj = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const path = k.replace(/\]/g, '').split('[');
    let o = out;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i] as string;
      o[seg] ??= {};
      o = o[seg];
    }
    o[path[path.length - 1] as string] = v;
  }
  return out;
}

const rid = (p: string) => `${p}_${randomBytes(8).toString('hex')}`;

export interface FakeStripe {
  url: string;
  intents: Map<string, Obj>;
  requests: {
    method: string;
    path: string;
    idempotencyKey: string | undefined;
    authorization: string | undefined;
    body: Obj;
  }[];
  close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const intents = new Map<string, Obj>();
  const memo = new Map<string, { status: number; body: Obj }>();
  const requests: FakeStripe['requests'] = [];

  const handle = (method: string, path: string, q: Obj, body: Obj): { status: number; body: Obj } => {
    const parts = path.split('/').filter(Boolean);
    if (parts[1] === 'refunds' && method === 'POST') {
      const pi = intents.get(body.payment_intent);
      if (!pi) return { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing' } } };
      pi.latest_charge.amount_refunded += Number(body.amount);
      return {
        status: 200,
        body: { id: rid('re'), object: 'refund', amount: Number(body.amount), payment_intent: pi.id },
      };
    }
    if (parts[1] !== 'payment_intents') return { status: 404, body: { error: { type: 'invalid_request_error' } } };
    if (method === 'GET' && parts.length === 2) {
      const gte = Number(q.created?.gte ?? 0);
      const lt = Number(q.created?.lt ?? Number.MAX_SAFE_INTEGER);
      const data = [...intents.values()].filter((i) => i.created >= gte && i.created < lt);
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/payment_intents' } };
    }
    const pi = parts[2] ? intents.get(parts[2]) : undefined;
    if (method === 'GET')
      return pi ? { status: 200, body: pi } : { status: 404, body: { error: { type: 'invalid_request_error' } } };
    if (parts.length === 2) {
      if (body.payment_method === 'pm_unknown') {
        const error = { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method' };
        return { status: 400, body: { error: { ...error, message: "No such PaymentMethod: 'pm_unknown'" } } };
      }
      const id = rid('pi');
      const intent: Obj = {
        id,
        object: 'payment_intent',
        amount: Number(body.amount),
        currency: body.currency,
        capture_method: body.capture_method,
        status: 'requires_capture',
        amount_received: 0,
        created: Math.floor(Date.now() / 1000),
        metadata: body.metadata ?? {},
        next_action: null,
        last_payment_error: null,
        latest_charge: { id: rid('ch'), object: 'charge', amount_refunded: 0 },
      };
      intents.set(id, intent);
      if (body.payment_method === 'pm_card_chargeDeclined') {
        Object.assign(intent, { status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } });
        return {
          status: 402,
          body: {
            error: {
              type: 'card_error',
              code: 'card_declined',
              message: 'Your card was declined.',
              payment_intent: intent,
            },
          },
        };
      }
      if (body.payment_method === 'pm_card_threeDSecureRequired') {
        Object.assign(intent, {
          status: 'requires_action',
          next_action: { type: 'redirect_to_url', redirect_to_url: { url: `https://hooks.example/3ds/${id}` } },
        });
      }
      return { status: 200, body: intent };
    }
    if (!pi) return { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing' } } };
    if (parts[3] === 'capture') {
      if (pi.status !== 'requires_capture') {
        return {
          status: 400,
          body: { error: { type: 'invalid_request_error', code: 'payment_intent_unexpected_state' } },
        };
      }
      Object.assign(pi, { status: 'succeeded', amount_received: Number(body.amount_to_capture ?? pi.amount) });
    } else if (parts[3] === 'cancel') {
      Object.assign(pi, { status: 'canceled' });
    }
    return { status: 200, body: pi };
  };

  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((req, res) => {
    void read(req).then((text) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      const body = parseForm(text);
      const key = req.headers['idempotency-key'] as string | undefined;
      requests.push({ method, path: u.pathname, idempotencyKey: key, authorization: req.headers.authorization, body });
      const memoKey = key && method === 'POST' ? `${u.pathname} ${key}` : undefined;
      const answer = (memoKey && memo.get(memoKey)) || handle(method, u.pathname, parseForm(u.search.slice(1)), body);
      if (memoKey) memo.set(memoKey, answer);
      res.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': rid('req') });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    intents,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
