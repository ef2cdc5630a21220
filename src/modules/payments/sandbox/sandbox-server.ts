// The sandbox PSP: a small payment service provider imitation served over HTTP on its own port.
// Test tokens decide the outcome (docs/payments-sandbox.md); idempotency keys are honoured; every
// state change is sent as a signed webhook (see webhook-sender.ts). State lives in memory.
// Outages on demand: `setFault` makes every call slow or answer 5xx, `stop`/`start` refuse connections.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTimers } from './timers.ts';
import {
  type ChaosOptions,
  createWebhookSender,
  NO_CHAOS,
  type RetryOptions,
  type WebhookSender,
} from './webhook-sender.ts';

export type SandboxStatus = 'processing' | 'requires_action' | 'authorized' | 'captured' | 'failed' | 'voided';

export interface SandboxPayment {
  id: string;
  status: SandboxStatus;
  amount: number;
  currency: string;
  amount_captured: number;
  amount_refunded: number;
  next_action_url: string | null;
  failure_code: string | null;
  idempotency_key: string;
  return_url: string | null;
  metadata: Record<string, string>;
  created: number;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  webhookUrl?: string | undefined;
  webhookSecret: string;
  chaos?: ChaosOptions;
  retry?: Partial<RetryOptions>;
  /** tok_processing settles (authorized + webhook) after this delay. */
  processingDelayMs?: number;
  /** tok_timeout answers after this delay (the payment is created at once). */
  slowResponseMs?: number;
}

/** An injected outage: every API call (not webhook delivery) is affected until it is cleared. */
export interface SandboxFault {
  /** A slow provider: each request is read at once, then processed and answered only after this delay. */
  delayMs?: number;
  /** A failing provider: each request is answered with this status (5xx) at once, doing nothing. */
  status?: number;
  /**
   * Only payment creation (`POST /v1/payments`) is affected: e.g. a provider whose lookups answer at once but do
   * not see a payment it is still creating.
   */
  createOnly?: boolean;
}

export interface SandboxPsp {
  url: string;
  webhooks: WebhookSender;
  setWebhookUrl(url: string | undefined): void;
  /** Direct access for tests (e.g. to imitate a change made in the PSP's dashboard). */
  payments: Map<string, SandboxPayment>;
  /** Changes a payment's status at the PSP and emits its webhook. */
  update(id: string, changes: Partial<SandboxPayment>, eventType?: string): SandboxPayment;
  /** Injects an outage (or clears it with undefined); also `POST /v1/sandbox/faults` with the same body. */
  setFault(fault: SandboxFault | undefined): void;
  /** Stops listening (connections are refused); payments and pending webhooks are kept. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const DECLINES: Record<string, string> = {
  tok_chargeDeclined: 'card_declined',
  tok_insufficientFunds: 'insufficient_funds',
};
const KNOWN = new Set([
  'tok_visa',
  'tok_threeDSecureRequired',
  'tok_processing',
  'tok_timeout',
  ...Object.keys(DECLINES),
]);

const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

type Answer = { status: number; body: unknown; delayMs?: number };

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not JSON.');
  }
}

export async function startSandboxPsp(options: SandboxOptions): Promise<SandboxPsp> {
  const payments = new Map<string, SandboxPayment>();
  const idempotent = new Map<string, Answer>();
  const timers = createTimers();
  const later = timers.later;
  const webhooks = createWebhookSender({
    secret: options.webhookSecret,
    target: options.webhookUrl,
    chaos: options.chaos ?? NO_CHAOS,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  let base = '';
  let fault: SandboxFault | undefined;

  const emit = (type: string, p: SandboxPayment) => {
    const event = { id: rid('evt'), type, created: Math.floor(Date.now() / 1000), data: { object: { ...p } } };
    webhooks.enqueue(JSON.stringify(event));
  };
  const update = (id: string, changes: Partial<SandboxPayment>, eventType?: string) => {
    const p = payments.get(id);
    if (!p) throw new HttpError(404, 'not_found', `No payment ${id}.`);
    Object.assign(p, changes);
    if (eventType) emit(eventType, p);
    return p;
  };
  const get = (id: string) => {
    const p = payments.get(id);
    if (!p) throw new HttpError(404, 'not_found', `No payment ${id}.`);
    return p;
  };

  const create = (body: Record<string, unknown>, key: string): Answer => {
    const { amount, currency, token } = body;
    if (!Number.isSafeInteger(amount) || (amount as number) <= 0) throw new HttpError(400, 'invalid_amount', 'amount');
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
      throw new HttpError(400, 'invalid_currency', 'currency');
    }
    if (typeof token !== 'string' || !KNOWN.has(token)) throw new HttpError(400, 'invalid_token', 'Unknown token.');
    const id = rid('psp_pay');
    const p: SandboxPayment = {
      id,
      status: 'authorized',
      amount: amount as number,
      currency,
      amount_captured: 0,
      amount_refunded: 0,
      next_action_url: null,
      failure_code: DECLINES[token] ?? null,
      idempotency_key: key,
      return_url: typeof body.return_url === 'string' ? body.return_url : null,
      metadata: (body.metadata ?? {}) as Record<string, string>,
      created: Date.now(),
    };
    payments.set(id, p);
    if (p.failure_code) {
      p.status = 'failed';
      emit('payment.failed', p);
      return { status: 402, body: { error: { type: 'card_error', code: p.failure_code, payment: { ...p } } } };
    }
    if (token === 'tok_threeDSecureRequired') {
      p.status = 'requires_action';
      p.next_action_url = `${base}/v1/payments/${id}/3ds`;
      emit('payment.requires_action', p);
    } else if (token === 'tok_processing') {
      p.status = 'processing';
      later(options.processingDelayMs ?? 2000, () => {
        if (p.status === 'processing') update(id, { status: 'authorized' }, 'payment.authorized');
      });
    } else {
      emit('payment.authorized', p);
    }
    return {
      status: 200,
      body: { ...p },
      ...(token === 'tok_timeout' ? { delayMs: options.slowResponseMs ?? 30_000 } : {}),
    };
  };

  const capture = (p: SandboxPayment, body: Record<string, unknown>): Answer => {
    if (p.status === 'captured') return { status: 200, body: { ...p } };
    if (p.status !== 'authorized') throw new HttpError(409, 'invalid_state', `Payment is ${p.status}.`);
    const amount = body.amount === undefined ? p.amount : body.amount;
    if (!Number.isSafeInteger(amount) || (amount as number) <= 0 || (amount as number) > p.amount) {
      throw new HttpError(400, 'invalid_amount', 'Capture amount out of range.');
    }
    return {
      status: 200,
      body: { ...update(p.id, { status: 'captured', amount_captured: amount as number }, 'payment.captured') },
    };
  };
  const voidIt = (p: SandboxPayment): Answer => {
    if (p.status === 'voided') return { status: 200, body: { ...p } };
    if (!['authorized', 'requires_action', 'processing'].includes(p.status)) {
      throw new HttpError(409, 'invalid_state', `Payment is ${p.status}.`);
    }
    return { status: 200, body: { ...update(p.id, { status: 'voided', next_action_url: null }, 'payment.voided') } };
  };
  const refund = (p: SandboxPayment, body: Record<string, unknown>): Answer => {
    const amount = body.amount;
    if (p.status !== 'captured') throw new HttpError(409, 'invalid_state', `Payment is ${p.status}.`);
    if (!Number.isSafeInteger(amount) || (amount as number) <= 0) throw new HttpError(400, 'invalid_amount', 'amount');
    if (p.amount_refunded + (amount as number) > p.amount_captured) {
      throw new HttpError(409, 'refund_exceeds_captured', 'Refunds would exceed the captured amount.');
    }
    update(p.id, { amount_refunded: p.amount_refunded + (amount as number) }, 'payment.refunded');
    return { status: 200, body: { id: rid('psp_re'), amount, payment: p.id } };
  };
  const threeDs = (p: SandboxPayment, outcome: string): Answer => {
    if (p.status !== 'requires_action') throw new HttpError(409, 'invalid_state', `Payment is ${p.status}.`);
    if (outcome === 'fail')
      update(
        p.id,
        { status: 'failed', failure_code: 'authentication_failed', next_action_url: null },
        'payment.failed',
      );
    else update(p.id, { status: 'authorized', next_action_url: null }, 'payment.authorized');
    return { status: 200, body: { ...p } };
  };

  const setFault = (f: SandboxFault | undefined) => {
    if (f?.status !== undefined && !(Number.isInteger(f.status) && f.status >= 500 && f.status <= 599)) {
      throw new HttpError(400, 'invalid_fault', 'status must be a 5xx code.');
    }
    if (f?.delayMs !== undefined && !(Number.isSafeInteger(f.delayMs) && f.delayMs >= 0)) {
      throw new HttpError(400, 'invalid_fault', 'delayMs must be a non-negative integer.');
    }
    fault = f && (f.status || f.delayMs) ? { ...f } : undefined;
  };

  const route = async (req: IncomingMessage, text: string): Promise<Answer> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const parts = url.pathname.split('/').filter(Boolean); // v1 payments :id action
    if (parts[0] !== 'v1' || parts[1] !== 'payments') throw new HttpError(404, 'not_found', 'No such route.');
    const method = req.method ?? 'GET';
    if (method === 'GET' && parts.length === 2) {
      const key = url.searchParams.get('idempotency_key');
      const from = Number(url.searchParams.get('created_gte') ?? 0);
      const to = Number(url.searchParams.get('created_lt') ?? Number.MAX_SAFE_INTEGER);
      const items = [...payments.values()].filter((p) =>
        key ? p.idempotency_key === key : p.created >= from && p.created < to,
      );
      return { status: 200, body: { items } };
    }
    if (method === 'GET' && parts.length === 3) return { status: 200, body: { ...get(parts[2] ?? '') } };
    if (parts.length === 4 && parts[3] === '3ds') {
      const body = method === 'POST' ? parseJson(text) : {};
      const outcome = String(body.outcome ?? url.searchParams.get('outcome') ?? 'succeed');
      return threeDs(get(parts[2] ?? ''), outcome);
    }
    if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Method not allowed.');
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '')
      throw new HttpError(400, 'idempotency_key_required', 'Send Idempotency-Key.');
    const memo = `${url.pathname} ${key}`;
    const prior = idempotent.get(memo);
    if (prior) return { status: prior.status, body: prior.body };
    const body = parseJson(text);
    let answer: Answer;
    if (parts.length === 2) answer = create(body, key);
    else if (parts[3] === 'capture') answer = capture(get(parts[2] ?? ''), body);
    else if (parts[3] === 'void') answer = voidIt(get(parts[2] ?? ''));
    else if (parts[3] === 'refunds') answer = refund(get(parts[2] ?? ''), body);
    else throw new HttpError(404, 'not_found', 'No such route.');
    idempotent.set(memo, { status: answer.status, body: answer.body });
    return answer;
  };

  const send = (res: ServerResponse, a: Answer) => {
    // The caller may have given up (its timeout) or the sandbox stopped: nobody is left to answer.
    if (res.destroyed) return;
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a.body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, text: string) =>
    route(req, text).then(
      (a) => (a.delayMs ? later(a.delayMs, () => send(res, a)) : send(res, a)),
      (e: unknown) => {
        const he = e instanceof HttpError ? e : new HttpError(500, 'internal', 'Internal error.');
        send(res, { status: he.status, body: { error: { code: he.code, message: he.message } } });
      },
    );
  const server = createServer((req, res) => {
    readBody(req).then(
      (text) => {
        if (req.url === '/v1/sandbox/faults' && req.method === 'POST') {
          try {
            setFault(parseJson(text) as SandboxFault);
            return send(res, { status: 200, body: { fault: fault ?? null } });
          } catch (e) {
            const he = e as HttpError;
            return send(res, { status: he.status, body: { error: { code: he.code, message: he.message } } });
          }
        }
        const f =
          fault && (!fault.createOnly || (req.method === 'POST' && req.url === '/v1/payments')) ? fault : undefined;
        if (f?.status) {
          return send(res, { status: f.status, body: { error: { code: 'unavailable', message: 'Injected fault.' } } });
        }
        // The request was received in full: the provider does the work even if the caller gives up waiting.
        if (f?.delayMs) return later(f.delayMs, () => void handle(req, res, text));
        void handle(req, res, text);
      },
      () => res.destroy(),
    );
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await closed;
  };
  await listen(options.port ?? 0);
  const addr = server.address() as AddressInfo;
  const port = addr.port;
  base = `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${addr.port}`;
  return {
    url: base,
    webhooks,
    setWebhookUrl: (u) => webhooks.setTarget(u),
    payments,
    update: (id, changes, eventType) => update(id, changes, eventType),
    setFault,
    stop,
    start: async () => {
      if (!server.listening) await listen(port);
    },
    async close() {
      timers.clear();
      webhooks.close();
      await stop();
    },
  };
}
