import { describe, expect, it } from 'vitest';
import { every, lastRun } from './jobs.ts';
import {
  describePromotion,
  describeWindow,
  fromLocalInput,
  limitInput,
  promotionState,
  toLocalInput,
} from './promotions.ts';
import { describeEvents, endpointState, lastAttempt, pickedEvents } from './webhooks.ts';

const iso = (s: string | null) => s ?? '—';

describe('rules of the webhooks, jobs and promotions pages [REQ-ADM-045]', () => {
  it('[REQ-ADM-045] event types: every one is `*`, picked ones sorted without duplicates, none is refused', () => {
    expect(pickedEvents(true, ['orders.order.placed'])).toEqual(['*']);
    expect(pickedEvents(false, ['orders.order.placed', 'catalog.product.created', 'orders.order.placed'])).toEqual([
      'catalog.product.created',
      'orders.order.placed',
    ]);
    expect(pickedEvents(false, [])).toBeUndefined();
    expect(describeEvents(['*'])).toBe('Every event type');
    expect(describeEvents(['a.b.c', 'd.e.f'])).toBe('a.b.c, d.e.f');
  });

  it("[REQ-ADM-045] a delivery's last attempt and an endpoint's state in words", () => {
    const d = { status: 'pending', attempts: 0, lastStatusCode: null, lastError: null, lastLatencyMs: null };
    expect(lastAttempt(d)).toBe('not tried yet');
    expect(lastAttempt({ ...d, attempts: 1, lastStatusCode: 200, lastLatencyMs: 12 })).toBe('HTTP 200 in 12 ms');
    expect(lastAttempt({ ...d, attempts: 2, lastStatusCode: 500, lastError: 'server error', lastLatencyMs: 3 })).toBe(
      'HTTP 500 in 3 ms (server error)',
    );
    expect(lastAttempt({ ...d, attempts: 3, lastError: 'timeout', lastLatencyMs: 400 })).toBe('timeout in 400 ms');
    expect(endpointState({ enabled: true, disabledReason: null })).toBe('Enabled');
    expect(endpointState({ enabled: false, disabledReason: 'manual' })).toBe('Disabled');
    expect(endpointState({ enabled: false, disabledReason: 'failures' })).toBe('Disabled after failures');
  });

  it("[REQ-ADM-045] a job's interval and last run", () => {
    expect(every(1000)).toBe('1 s');
    expect(every(3_600_000)).toBe('1 h');
    expect(every(90_000)).toBe('90 s');
    expect(every(250)).toBe('250 ms');
    const j = { running: false, lastStartedAt: null, lastFinishedAt: null, lastDurationMs: null, lastError: null };
    expect(lastRun(j, iso)).toBe('never');
    expect(lastRun({ ...j, running: true, lastStartedAt: 'T1' }, iso)).toBe('running since T1');
    expect(lastRun({ ...j, lastStartedAt: 'T1', lastFinishedAt: 'T2', lastDurationMs: 5 }, iso)).toBe('ok T2, 5 ms');
    expect(lastRun({ ...j, lastStartedAt: 'T1', lastFinishedAt: 'T2', lastError: 'boom' }, iso)).toBe(
      'failed T2: boom',
    );
  });

  it("[REQ-ADM-045] a promotion's state at a moment, its rule and window; date-time and limit fields", () => {
    const now = new Date('2026-12-06T12:00:00Z');
    const p = {
      kind: 'percentage',
      value: 1000,
      currency: null,
      active: true,
      deletedAt: null,
      startsAt: null,
      endsAt: null,
      buyQuantity: null,
      getQuantity: null,
      minSubtotal: null,
    };
    expect(promotionState(p, now)).toBe('running');
    expect(promotionState({ ...p, startsAt: '2026-12-07T00:00:00Z' }, now)).toBe('scheduled');
    expect(promotionState({ ...p, endsAt: '2026-12-06T12:00:00Z' }, now)).toBe('ended');
    expect(promotionState({ ...p, active: false }, now)).toBe('paused');
    expect(promotionState({ ...p, active: false, deletedAt: '2026-12-01T00:00:00Z' }, now)).toBe('deleted');
    expect(describePromotion(p)).toBe('10 % off');
    expect(describePromotion({ ...p, kind: 'buy_x_get_y', buyQuantity: 2, getQuantity: 1 })).toBe('Buy 2, get 1 free');
    expect(describeWindow(p, iso)).toBe('Always');
    expect(describeWindow({ startsAt: 'A', endsAt: 'B' }, iso)).toBe('from A until B');
    expect(describeWindow({ startsAt: null, endsAt: 'B' }, iso)).toBe('until B');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('soon')).toBeUndefined();
    expect(fromLocalInput(toLocalInput('2026-12-24T18:30:00.000Z'))).toBe('2026-12-24T18:30:00.000Z');
    expect(limitInput(' ')).toBeNull();
    expect(limitInput('100')).toBe(100);
    expect(limitInput('1.5')).toBeUndefined();
    expect(limitInput('-1')).toBeUndefined();
  });
});
