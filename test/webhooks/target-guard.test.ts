// SSRF guard units: which addresses are public, names resolving (partly) inside, and the attempt connecting to the
// vetted address whatever the name resolves to by then (DNS rebinding).
import { describe, expect, it } from 'vitest';
import { postWebhook } from '../../src/modules/webhooks/http-post.ts';
import { isPublicAddress, TargetRefusedError, vetTarget } from '../../src/modules/webhooks/target-guard.ts';
import { startReceiver } from './receiver.ts';

describe('webhook target guard', () => {
  it.each([
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.0.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['192.0.2.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fd12:3456::1', false],
    ['ff02::1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:127.0.0.1', false],
    ['64:ff9b::a00:1', false],
    ['not-an-ip', false],
    ['93.184.215.14', true],
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['::ffff:8.8.8.8', true],
  ])('[REQ-WHK-007] %s public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('[REQ-WHK-007] a name with any non-public address is refused; allowPrivateTargets lets it through', async () => {
    const resolve = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const refused = await vetTarget('https://mixed.example/hook', false, resolve).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TargetRefusedError);
    expect((refused as TargetRefusedError).refusal.reason).toBe('not_allowed');
    const allowed = await vetTarget('https://mixed.example/hook', true, resolve);
    expect(allowed.address).toBe('93.184.215.14');
    const unresolvable = await vetTarget('https://nx.example/', false, async () => {
      throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
    }).catch((e: unknown) => e);
    expect((unresolvable as TargetRefusedError).refusal.reason).toBe('unresolvable');
  });

  it('[REQ-WHK-007] the attempt connects to the vetted address, not to what the name resolves to later', async () => {
    const rx = await startReceiver(() => 204);
    try {
      const port = new URL(rx.url).port;
      // `rebind.invalid` resolves nowhere for the system; the vetted address is the only way to reach the receiver.
      const target = await vetTarget(`http://rebind.invalid:${port}/hook`, true, async () => [
        { address: '127.0.0.1', family: 4 },
      ]);
      const result = await postWebhook(target, { 'webhook-id': 'msg_x' }, '{}', 2_000);
      expect(result).toMatchObject({ ok: true, statusCode: 204, error: null });
      expect(rx.received[0]?.headers.host).toBe(`rebind.invalid:${port}`);
      // A redirect is not followed: it is a failed attempt.
      rx.behaviour = () => 302;
      const redirected = await postWebhook(target, { 'webhook-id': 'msg_y' }, '{}', 2_000);
      expect(redirected).toMatchObject({ ok: false, statusCode: 302 });
      expect(rx.received).toHaveLength(2);
    } finally {
      await rx.close();
    }
  });
});
