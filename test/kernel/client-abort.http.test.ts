// A client that goes away while it sends its body resets the request's stream (`ECONNRESET`, "aborted"). That is
// the client's doing: it is never logged or counted as a database fault (REQ-RES-002 #3).
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';

let t: TestApp;
let base: URL;
const lines: string[] = [];

beforeAll(async () => {
  t = await createTestApp({
    services: false,
    workers: false,
    logStream: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  base = new URL(await listen(t.http));
});
afterAll(async () => {
  await t?.close();
});

async function counter(name: string, labels: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', base))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Sends the headers and part of a 100-byte body, then, once the server has the request, closes the connection. */
async function abortedBody(): Promise<void> {
  const received = new Promise<void>((resolve) => t.http.server.once('request', () => resolve()));
  const socket = connect(Number(base.port), base.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    `POST /v1/carts HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cur`,
  );
  await received;
  socket.destroy();
}

describe('a client that drops its connection mid-body [REQ-RES-002]', () => {
  it('[REQ-RES-002] is answered as a bad request, not logged or counted as a database connection error', async () => {
    const invalid = 'code="request.invalid"';
    const postgres = (kind: string) => `dependency="postgres",kind="${kind}"`;
    const before = {
      invalid: await counter('http_problem_responses_total', invalid),
      db: await counter('dependency_errors_total', postgres('connection')),
    };
    await abortedBody();
    // The error handler has run once either counter moved.
    const deadline = Date.now() + 10_000;
    let now = before;
    while (Date.now() < deadline) {
      now = {
        invalid: await counter('http_problem_responses_total', invalid),
        db: await counter('dependency_errors_total', postgres('connection')),
      };
      if (now.invalid > before.invalid || now.db > before.db) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(now.db).toBe(before.db);
    expect(now.invalid).toBe(before.invalid + 1);
    expect(lines.filter((l) => l.includes('database connection error'))).toEqual([]);
    // The server goes on answering.
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);
  });
});
