// The error-event scrubber as a pure function: what survives and what never leaves the process.
import type { Event } from '@sentry/node';
import { describe, expect, it } from 'vitest';
import { REDACTED, SAFE_HEADERS, scrubBreadcrumb, scrubEvent, scrubText, scrubValue } from './error-tracking-scrub.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

function fullEvent(): Event {
  return {
    message: 'failed for jane.doe@example.com with card 4242 4242 4242 4242',
    logentry: { message: 'user %s', params: ['jane.doe@example.com', { password: 'hunter2' }] },
    exception: {
      values: [
        {
          type: 'Error',
          value: 'no account for jane.doe@example.com (card 4000-0566-5566-5556), Bearer abc.def.ghi',
          stacktrace: { frames: [{ filename: 'src/x.ts', function: 'f', vars: { email: 'jane.doe@example.com' } }] },
        },
      ],
    },
    breadcrumbs: [
      { message: 'GET /v1/x?email=jane.doe%40example.com', data: { authorization: 'Bearer secret', ok: 1 } },
    ],
    extra: { body: { email: 'jane.doe@example.com', note: 'call me' }, apiKey: 'k_live_1', nested: { token: 't' } },
    contexts: {
      trace: { trace_id: TRACE, span_id: 'b7ad6b7169203331' },
      response: { status_code: 500 },
      custom: { contact: 'jane.doe@example.com' },
    },
    tags: { trace_id: TRACE, 'http.route': '/v1/test/:id', who: 'jane.doe@example.com' },
    request: {
      method: 'POST',
      url: 'http://shop.test/v1/test/1?email=jane.doe%40example.com&q=x',
      headers: {
        authorization: 'Bearer secret-token',
        cookie: 'session=abc',
        'x-cart-token': 'ct',
        'x-order-token': 'ot',
        'x-api-key': 'ak',
        'user-agent': 'Mozilla/5.0',
        'x-forwarded-for': '203.0.113.9',
        'content-type': 'application/json',
        traceparent: `00-${TRACE}-b7ad6b7169203331-01`,
        'x-request-id': 'req-1',
      },
      data: '{"email":"jane.doe@example.com"}',
      cookies: { session: 'abc' },
      query_string: 'email=jane.doe%40example.com&q=x',
      env: { REMOTE_ADDR: '203.0.113.9' },
    },
    user: { id: 'acc_1', email: 'jane.doe@example.com', ip_address: '203.0.113.9', username: 'jane' },
  };
}

describe('error event scrubber', () => {
  it('[REQ-ERR-003] masks email-like, card-like and bearer credentials in text', () => {
    expect(scrubText('mail a.b+c@shop.example.org now')).toBe('mail [email] now');
    expect(scrubText('q=jane%40example.com')).toBe('q=[email]');
    expect(scrubText('card 4242424242424242.')).toBe('card [card].');
    expect(scrubText('card 4242-4242-4242-4242 ok')).toBe('card [card] ok');
    expect(scrubText('Authorization: Bearer eyJhbGciOi.J9.x')).toBe('Authorization: Bearer [redacted]');
    // Short numbers (quantities, order numbers, ports) and ids stay readable.
    expect(scrubText('order 100234 qty 3 port 5432 id 0af7651916cd43dd')).toBe(
      'order 100234 qty 3 port 5432 id 0af7651916cd43dd',
    );
  });

  it('[REQ-ERR-003] redacts values under secret and personal keys, at any depth and in any case', () => {
    expect(
      scrubValue({ Password: 'p', 'X-Api-Key': 'k', a: { b: { refresh_token: 'r', shippingAddress: { city: 'x' } } } }),
    ).toEqual({
      Password: REDACTED,
      'X-Api-Key': REDACTED,
      a: { b: { refresh_token: REDACTED, shippingAddress: REDACTED } },
    });
    expect(scrubValue(['x@y.example', 3, null])).toEqual(['[email]', 3, null]);
  });

  it('[REQ-ERR-003] a full event keeps its diagnostics and loses every credential and personal datum', () => {
    const out = scrubEvent(fullEvent());
    const raw = JSON.stringify(out);
    for (const secret of [
      'jane.doe',
      'hunter2',
      'secret-token',
      'session=abc',
      '"ct"',
      '"ot"',
      '"ak"',
      'Mozilla',
      '203.0.113.9',
      '4242',
      '5556',
      'abc.def.ghi',
      'k_live_1',
      'call me',
    ]) {
      expect(raw, secret).not.toContain(secret);
    }
    expect(out.request).toEqual({
      method: 'POST',
      url: 'http://shop.test/v1/test/1',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${TRACE}-b7ad6b7169203331-01`,
        'x-request-id': 'req-1',
      },
      query_string: 'email=%5Bredacted%5D&q=%5Bredacted%5D',
    });
    expect(out.user).toEqual({ id: 'acc_1' });
    expect(out.exception?.values?.[0]?.stacktrace?.frames?.[0]).toEqual({ filename: 'src/x.ts', function: 'f' });
    expect(out.exception?.values?.[0]?.value).toBe('no account for [email] (card [card]), Bearer [redacted]');
    // The trace context and our tags are kept as they were (a trace id is never mistaken for a card number).
    expect(out.contexts?.trace).toEqual({ trace_id: TRACE, span_id: 'b7ad6b7169203331' });
    expect(out.contexts?.response).toEqual({ status_code: 500 });
    expect(out.tags).toEqual({ trace_id: TRACE, 'http.route': '/v1/test/:id', who: '[email]' });
    expect(out.breadcrumbs?.[0]).toEqual({
      message: 'GET /v1/x?email=[email]',
      data: { authorization: REDACTED, ok: 1 },
    });
  });

  it('[REQ-ERR-003] an event without a user id has no user; breadcrumbs are scrubbed as they are recorded', () => {
    const out = scrubEvent({ user: { ip_address: '{{auto}}' } });
    expect(out.user).toBeUndefined();
    const b = { message: 'login jane@example.com', data: { cookie: 'c=1' } };
    expect(scrubBreadcrumb(b)).toEqual({ message: 'login [email]', data: { cookie: REDACTED } });
    expect(b.message).toBe('login jane@example.com');
  });

  it('[REQ-ERR-003] the header allow-list names no credential or identifying header', () => {
    for (const h of [
      'authorization',
      'cookie',
      'x-cart-token',
      'x-order-token',
      'x-api-key',
      'user-agent',
      'x-forwarded-for',
    ]) {
      expect(SAFE_HEADERS.has(h), h).toBe(false);
    }
  });
});
