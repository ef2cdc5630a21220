import { describe, expect, it } from 'vitest';
import { describeStatement } from '../db/db-tracing.ts';
import { formatTraceparent, freshTraceId, parseTraceparent } from './tracing-context.ts';

describe('W3C trace context and statement names [REQ-TRC-004] [REQ-TRC-002]', () => {
  it('[REQ-TRC-004] parses a valid traceparent and refuses invalid ones', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    // A later version may carry more fields; version 00 may not.
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra')?.traceFlags).toBe(0);
    for (const bad of [
      undefined,
      '',
      'garbage',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    }
    const sc = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    expect(parseTraceparent(formatTraceparent(sc))).toEqual(sc);
    expect(freshTraceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(freshTraceId()).not.toBe(freshTraceId());
  });

  it('[REQ-TRC-002] names a statement by its operation and table', () => {
    expect(describeStatement('select "id" from "cart"."items" where "cart_id" = $1')).toEqual({
      operation: 'SELECT',
      collection: 'cart.items',
    });
    expect(describeStatement('insert into platform.outbox (id) values ($1)')).toEqual({
      operation: 'INSERT',
      collection: 'platform.outbox',
    });
    expect(describeStatement('update "inventory"."levels" set x = $1')).toEqual({
      operation: 'UPDATE',
      collection: 'inventory.levels',
    });
    expect(describeStatement('delete from "x" where id = $1')).toEqual({ operation: 'DELETE', collection: 'x' });
    expect(describeStatement('begin')).toEqual({ operation: 'BEGIN', collection: undefined });
  });
});
