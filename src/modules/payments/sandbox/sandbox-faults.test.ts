// The sandbox PSP's outages on demand, over HTTP: slow, failing, not listening, set in code or by POST.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxPsp, startSandboxPsp } from './sandbox-server.ts';

let psp: SandboxPsp;
beforeAll(async () => {
  psp = await startSandboxPsp({ webhookSecret: 'whsec_faults_0123456789abcdef' });
});
afterAll(async () => {
  await psp?.close();
});

let n = 0;
const create = (extra: Record<string, unknown> = {}) =>
  fetch(`${psp.url}/v1/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `faults-${++n}` },
    body: JSON.stringify({ amount: 500, currency: 'EUR', token: 'tok_visa', ...extra }),
  });
const setFault = (body: unknown) =>
  fetch(`${psp.url}/v1/sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('sandbox outages', () => {
  it('[REQ-RES-039] status fault: every call answers that 5xx and does nothing; clearing it restores service', async () => {
    const before = psp.payments.size;
    expect((await setFault({ status: 503 })).status).toBe(200);
    const res = await create();
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect((await fetch(`${psp.url}/v1/payments?created_gte=0`)).status).toBe(503);
    expect(psp.payments.size).toBe(before);
    expect(await (await setFault({})).json()).toEqual({ fault: null });
    expect((await create()).status).toBe(200);
  });

  it('[REQ-RES-039] delay fault: the request is processed and answered after the delay, even when the caller gave up', async () => {
    psp.setFault({ delayMs: 400 });
    try {
      const before = psp.payments.size;
      const started = performance.now();
      const res = await create();
      expect(performance.now() - started).toBeGreaterThanOrEqual(390);
      expect(res.status).toBe(200);
      const aborted = await fetch(`${psp.url}/v1/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'faults-aborted' },
        body: JSON.stringify({ amount: 700, currency: 'EUR', token: 'tok_visa', metadata: { orderId: 'ord_gave_up' } }),
        signal: AbortSignal.timeout(100),
      }).catch((e: Error) => e.name);
      expect(aborted).toBe('TimeoutError');
      const gaveUp = () => [...psp.payments.values()].filter((p) => p.metadata.orderId === 'ord_gave_up');
      for (let i = 0; i < 60 && gaveUp().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(gaveUp().map((p) => p.status)).toEqual(['authorized']);
      expect(psp.payments.size).toBe(before + 2);
    } finally {
      psp.setFault(undefined);
    }
  });

  it('[REQ-RES-039] createOnly: only payment creation is affected, lookups answer at once', async () => {
    psp.setFault({ status: 500, createOnly: true });
    try {
      expect((await create()).status).toBe(500);
      expect((await fetch(`${psp.url}/v1/payments?idempotency_key=nothing`)).status).toBe(200);
    } finally {
      psp.setFault(undefined);
    }
  });

  it('[REQ-RES-039] invalid faults are refused with 400', async () => {
    expect((await setFault({ status: 404 })).status).toBe(400);
    expect((await setFault({ delayMs: -1 })).status).toBe(400);
    expect((await create()).status).toBe(200);
  });

  it('[REQ-RES-039] stop refuses connections and keeps the payments; start listens again on the same port', async () => {
    const made = (await (await create()).json()) as { id: string };
    await psp.stop();
    // Kept-alive connections the sandbox closed may fail first (UND_ERR_SOCKET); a new connection is refused.
    const codes: string[] = [];
    while (codes.length < 5 && codes.at(-1) !== 'ECONNREFUSED') {
      const e = await fetch(`${psp.url}/v1/payments/${made.id}`).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(e).toBeInstanceOf(Error);
      codes.push(String((e?.cause as { code?: string } | undefined)?.code));
    }
    expect(codes.at(-1)).toBe('ECONNREFUSED');
    await psp.start();
    const again = await fetch(`${psp.url}/v1/payments/${made.id}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe('authorized');
  });
});
