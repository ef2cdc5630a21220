import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../webhook-signature.ts';
import { chaosFrom, createWebhookSender, NO_CHAOS } from './webhook-sender.ts';

const SECRET = 'whsec_sender_test_0123';
const received: { body: string; sig: string }[] = [];
let failFirst = 0;
let url = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    if (failFirst > 0) {
      failFirst--;
      res.writeHead(500).end();
      return;
    }
    received.push({ body, sig: String(req.headers['emporium-signature']) });
    res.writeHead(200).end('{}');
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => {
  server.close();
});

describe('sandbox webhook delivery [REQ-PAY-003]', () => {
  it('[REQ-PAY-003] signed deliveries retried with backoff until 2xx', async () => {
    received.length = 0;
    failFirst = 3;
    const s = createWebhookSender({ secret: SECRET, target: url, chaos: NO_CHAOS, retry: { baseMs: 10, maxMs: 40 } });
    s.enqueue('{"id":"evt_a"}');
    await s.idle();
    expect(received.map((r) => r.body)).toEqual(['{"id":"evt_a"}']);
    expect(() => verifySignature(SECRET, received[0]?.body ?? '', received[0]?.sig)).not.toThrow();
    expect(s.stats()).toEqual({ delivered: 1, attempts: 4, failed: 0, pending: 0 });
    s.close();
  });

  it('[REQ-PAY-003] chaos duplicates and reorders deliveries', async () => {
    received.length = 0;
    failFirst = 0;
    const chaos = chaosFrom(['duplicate', 'reorder'], 100);
    expect(chaos).toEqual({ duplicate: 2, delayMs: 0, reorderWindowMs: 100 });
    const s = createWebhookSender({ secret: SECRET, target: url, chaos });
    s.enqueue('1');
    s.enqueue('2');
    await s.idle();
    expect(received.map((r) => r.body).sort()).toEqual(['1', '1', '1', '2', '2', '2']);
    expect(received[0]?.body).toBe('2');
    s.close();
  });

  it('[REQ-PAY-003] chaos delay holds deliveries back', async () => {
    received.length = 0;
    const s = createWebhookSender({ secret: SECRET, target: url, chaos: chaosFrom(['delay'], 150) });
    for (let i = 0; i < 5; i++) s.enqueue(String(i));
    await new Promise((r) => setTimeout(r, 5));
    expect(received.length).toBeLessThan(5);
    await s.idle();
    expect(received.map((r) => r.body).sort()).toEqual(['0', '1', '2', '3', '4']);
    s.close();
  });
});
