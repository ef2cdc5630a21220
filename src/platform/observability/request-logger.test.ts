import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LazyRequestLogger, lazyRequestLogger } from './request-logger.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const parent = pino({ level, redact: { paths: ['password'], censor: '[redacted]' } }, stream);
  return { parent: parent as unknown as FastifyBaseLogger, lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('[REQ-KER-011] a request logger made on its first line', () => {
  it('[REQ-KER-011] a level that is off writes nothing and makes no child; bindings are never computed', async () => {
    const { parent, lines } = capture('warn');
    let computed = 0;
    const log = new LazyRequestLogger(parent, () => ({ requestId: 'r-1', n: ++computed }), {});
    log.info('hello');
    log.debug({ a: 1 }, 'x');
    log.trace('y');
    await flush();
    expect(lines).toEqual([]);
    expect(log.made).toBe(false);
    expect(computed).toBe(0);
    expect(log.level).toBe('warn');
  });

  it('[REQ-KER-011] the first line makes the child once: bindings, message and redaction as pino writes them', async () => {
    const { parent, lines } = capture('info');
    let computed = 0;
    const log = lazyRequestLogger(parent, () => ({ requestId: 'r-2', traceId: 't-2', n: ++computed }), {});
    log.warn({ password: 'hunter2' }, 'first');
    log.error(new Error('second'));
    log.info('third %s', 'line');
    await flush();
    expect(computed).toBe(1);
    expect(lines.map((l) => [l.level, l.requestId, l.traceId, l.msg])).toEqual([
      [40, 'r-2', 't-2', 'first'],
      [50, 'r-2', 't-2', 'second'],
      [30, 'r-2', 't-2', 'third line'],
    ]);
    expect(lines[0]?.password).toBe('[redacted]');
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it("[REQ-KER-011] a route's own level is honoured before and after the child is made", async () => {
    const { parent, lines } = capture('info');
    const log = new LazyRequestLogger(parent, () => ({ requestId: 'r-3' }), { level: 'debug' });
    expect(log.level).toBe('debug');
    expect(log.isLevelEnabled('debug')).toBe(true);
    expect(log.isLevelEnabled('trace')).toBe(false);
    log.debug('shown');
    log.trace('hidden');
    await flush();
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
    const quiet = new LazyRequestLogger(parent, () => ({}), { level: 'error' });
    quiet.warn('hidden');
    expect(quiet.made).toBe(false);
    quiet.level = 'warn';
    quiet.warn('now shown');
    await flush();
    expect(lines.map((l) => l.msg)).toEqual(['shown', 'now shown']);
  });

  it('[REQ-KER-011] isLevelEnabled agrees with pino at every level; silent writes nothing', async () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      const { parent } = capture(level);
      const log = new LazyRequestLogger(parent, () => ({}), {});
      for (const l of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) {
        expect(log.isLevelEnabled(l), `${level} ${l}`).toBe((parent as unknown as pino.Logger).isLevelEnabled(l));
      }
    }
    const { parent, lines } = capture('silent');
    const log = new LazyRequestLogger(parent, () => ({}), {});
    log.fatal('nothing');
    await flush();
    expect(lines).toEqual([]);
    expect(log.made).toBe(false);
  });

  it('[REQ-KER-011] child() carries the request bindings and its own', async () => {
    const { parent, lines } = capture('info');
    const log = new LazyRequestLogger(parent, () => ({ requestId: 'r-4' }), {});
    log.child({ step: 'pay' }).info('charged');
    await flush();
    expect(lines[0]).toMatchObject({ requestId: 'r-4', step: 'pay', msg: 'charged' });
  });
});
