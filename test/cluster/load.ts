// Checkout load: `concurrency` guest shoppers, each running the whole flow over and over (cart → item → address →
// shipping options → shipping method → POST /v1/orders with an Idempotency-Key) until stopped. Like a real client,
// a failed step (no answer, 5xx, 429, or a 409 "in progress") is retried with the same body and the same keys, with
// backoff, for a bounded time; every request's start, end and status is recorded.
import { randomUUID } from 'node:crypto';
import { sleep } from './services.ts';

export type Step = 'cart' | 'item' | 'address' | 'options' | 'shipping' | 'order' | 'resolve';

export interface RequestRecord {
  step: Step;
  /** Wall-clock ms (Date.now()) when the request was sent and when its answer (or failure) came. */
  start: number;
  end: number;
  /** HTTP status; 0 = no HTTP answer (refused, reset, timed out). */
  status: number;
  /** The problem's `code`, or the network error's message. */
  code?: string;
}

export interface PlacedOrder {
  id: string;
  orderToken: string;
  status: string;
  items: { variantId: string; quantity: number }[];
}

export interface Flow {
  key: string;
  variantId: string;
  quantity: number;
  cartId?: string;
  cartToken?: string;
  /** placed: 201; refused: a definite 4xx; abandoned: gave up before POST /v1/orders; unresolved: gave up on it. */
  outcome: 'running' | 'placed' | 'refused' | 'abandoned' | 'unresolved';
  order?: PlacedOrder;
  /** Why it was refused or abandoned: the step and its last answer, e.g. "item 409 idempotency.in_progress". */
  refusal?: string;
  /** Wall-clock ms when the flow started and when it ended (its last answer). */
  startedAt: number;
  endedAt?: number;
}

export interface LoadOptions {
  url: string;
  concurrency?: number;
  /** Variant ids to buy; flow n buys variants[n % length], 1 or 2 units. */
  variants: string[];
  /** How long one step is retried before the flow gives up on it. */
  stepBudgetMs?: number;
  requestTimeoutMs?: number;
  /** Hard bound: no flow starts after this many ms (stop() is expected earlier). */
  maxDurationMs?: number;
}

export interface LoadReport {
  requests: RequestRecord[];
  flows: Flow[];
  startedAt: number;
  stoppedAt: number;
}

export interface Load {
  readonly requests: RequestRecord[];
  readonly flows: Flow[];
  /** Starts no new flow, waits for the running ones (each bounded by its step budgets). */
  stop(): Promise<LoadReport>;
}

const ADDRESS = {
  name: 'Ada Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
};
const RETRYABLE_409 = new Set(['orders.checkout_in_progress', 'idempotency.in_progress']);

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

/** One HTTP request, recorded; never throws (a network failure is status 0). */
async function send(
  records: RequestRecord[],
  step: Step,
  url: string,
  init: { method: string; body?: unknown; headers?: Record<string, string> },
  timeoutMs: number,
): Promise<Answer & { retryAfterMs?: number }> {
  const start = Date.now();
  try {
    const res = await fetch(url, {
      method: init.method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      body = { raw: text.slice(0, 200) };
    }
    const code = typeof body?.code === 'string' ? body.code : undefined;
    records.push({ step, start, end: Date.now(), status: res.status, ...(code ? { code } : {}) });
    const retryAfter = Number(res.headers.get('retry-after'));
    return { status: res.status, body, ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (e as Error).name;
    records.push({ step, start, end: Date.now(), status: 0, code });
    return { status: 0, body: undefined };
  }
}

const retryable = (a: Answer) =>
  a.status === 0 ||
  a.status >= 500 ||
  a.status === 429 ||
  (a.status === 409 && RETRYABLE_409.has(String(a.body?.code)));

/** Sends until a definite answer or the budget is spent; returns the last answer. */
export async function sendWithRetries(
  records: RequestRecord[],
  step: Step,
  url: string,
  init: { method: string; body?: unknown; headers?: Record<string, string> },
  budgetMs: number,
  timeoutMs = 10_000,
): Promise<Answer> {
  const until = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    const answer = await send(records, step, url, init, timeoutMs);
    if (!retryable(answer)) return answer;
    const delay = Math.min(2000, answer.retryAfterMs ?? 100 * 2 ** attempt);
    if (Date.now() + delay >= until) return answer;
    await sleep(delay);
  }
}

export const orderBody = (flow: Flow) => ({
  cartId: flow.cartId,
  payment: { provider: 'sandbox', token: 'tok_visa' },
});

/** Records the answer of POST /v1/orders on the flow: placed, refused, or (retryable) unresolved. */
export function settleFlow(flow: Flow, a: Answer): void {
  if (a.status === 201 && a.body) {
    flow.outcome = 'placed';
    flow.order = {
      id: String(a.body.id),
      orderToken: String(a.body.orderToken),
      status: String(a.body.status),
      items: ((a.body.items ?? []) as { variantId: string; quantity: number }[]).map((l) => ({
        variantId: l.variantId,
        quantity: l.quantity,
      })),
    };
  } else if (retryable(a) || a.status === 202) {
    flow.outcome = 'unresolved';
  } else {
    flow.outcome = 'refused';
    flow.refusal = `order ${a.status} ${String(a.body?.code)}`;
  }
}

async function runFlow(o: Required<LoadOptions>, records: RequestRecord[], flow: Flow): Promise<void> {
  const go = (step: Step, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    sendWithRetries(records, step, o.url + path, { method, body, headers }, o.stepBudgetMs, o.requestTimeoutMs);
  const abandon = (a: Answer, step: Step) => {
    flow.outcome = retryable(a) ? 'abandoned' : 'refused';
    flow.refusal = `${step} ${a.status} ${String(a.body?.code)}`;
  };
  const cart = await go(
    'cart',
    'POST',
    '/v1/carts',
    { currency: 'EUR', country: 'DE' },
    {
      'idempotency-key': `${flow.key}-cart`,
    },
  );
  if (cart.status !== 201 || !cart.body) return abandon(cart, 'cart');
  flow.cartId = String(cart.body.id);
  flow.cartToken = String(cart.body.token);
  const creds = { 'x-cart-token': flow.cartToken };
  const cartPath = `/v1/carts/${flow.cartId}`;
  const item = await go(
    'item',
    'POST',
    `${cartPath}/items`,
    { variantId: flow.variantId, quantity: flow.quantity },
    {
      ...creds,
      'idempotency-key': `${flow.key}-item`,
    },
  );
  if (item.status >= 300) return abandon(item, 'item');
  const address = await go(
    'address',
    'PATCH',
    cartPath,
    { email: 'load@example.com', shippingAddress: ADDRESS },
    creds,
  );
  if (address.status >= 300) return abandon(address, 'address');
  const options = await go('options', 'GET', `${cartPath}/shipping-options`, undefined, creds);
  const method = (options.body?.items as { id: string }[] | undefined)?.[0]?.id;
  if (options.status !== 200 || !method) return abandon(options, 'options');
  const shipping = await go('shipping', 'PATCH', cartPath, { shippingMethodId: method }, creds);
  if (shipping.status >= 300) return abandon(shipping, 'shipping');
  settleFlow(flow, await go('order', 'POST', '/v1/orders', orderBody(flow), { ...creds, 'idempotency-key': flow.key }));
}

export function startLoad(options: LoadOptions): Load {
  const o: Required<LoadOptions> = {
    concurrency: 40,
    stepBudgetMs: 20_000,
    requestTimeoutMs: 10_000,
    maxDurationMs: 120_000,
    ...options,
  };
  if (!o.variants.length) throw new Error('no variants to buy');
  const records: RequestRecord[] = [];
  const flows: Flow[] = [];
  const startedAt = Date.now();
  let stopping = false;
  let n = 0;
  const worker = async () => {
    while (!stopping && Date.now() - startedAt < o.maxDurationMs) {
      const i = n++;
      const flow: Flow = {
        key: randomUUID(),
        variantId: o.variants[i % o.variants.length] as string,
        quantity: 1 + (i % 2),
        outcome: 'running',
        startedAt: Date.now(),
      };
      flows.push(flow);
      await runFlow(o, records, flow);
      flow.endedAt = Date.now();
    }
  };
  const workers = Array.from({ length: o.concurrency }, () => worker());
  return {
    requests: records,
    flows,
    async stop() {
      stopping = true;
      await Promise.all(workers);
      return { requests: records, flows, startedAt, stoppedAt: Date.now() };
    },
  };
}

/** A real client finishes what it started: unresolved checkouts are retried with their key until answered. */
export async function resolveUnresolved(url: string, report: LoadReport, budgetMs: number): Promise<void> {
  await Promise.all(
    report.flows
      .filter((f) => f.outcome === 'unresolved')
      .map(async (flow) => {
        const headers = { 'x-cart-token': flow.cartToken ?? '', 'idempotency-key': flow.key };
        const a = await sendWithRetries(
          report.requests,
          'resolve',
          `${url}/v1/orders`,
          {
            method: 'POST',
            body: orderBody(flow),
            headers,
          },
          budgetMs,
        );
        settleFlow(flow, a);
      }),
  );
}
