import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function fails(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.variable;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('shop, mail and webhook settings [REQ-KER-004]', () => {
  it('[REQ-KER-004] defaults: the local mail outbox, the Standard Webhooks schedule, private targets refused', () => {
    const c = loadConfig({});
    expect(c.shop).toEqual({
      name: 'Emporium Demo Shop',
      address: 'Example Street 1, 10115 Berlin, Germany',
      logoUrl: undefined,
      url: 'http://localhost:3000',
      defaultLocale: 'en',
    });
    expect(c.mail).toMatchObject({ smtpUrl: undefined, from: 'Emporium Demo Shop <no-reply@localhost>', poolSize: 5 });
    expect(c.mail.staffEmail).toBeUndefined();
    expect(c.webhooks.retryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36e6, 36e6]);
    expect(c.webhooks.allowPrivateTargets).toBe(false);
  });

  it('[REQ-KER-004] parses what is set', () => {
    const c = loadConfig({
      SHOP_NAME: 'Kaffee & Co',
      SHOP_URL: 'https://shop.example.com/',
      SHOP_DEFAULT_LOCALE: 'de',
      SMTP_URL: 'smtps://user:pw@mail.example.com:465',
      MAIL_FROM: 'Kaffee <hello@example.com>',
      STAFF_NOTIFICATIONS_EMAIL: 'ops@example.com',
      MAIL_RETRY_BASE_MS: '50',
      MAIL_RETRY_MAX_DELAY_MS: '20',
      WEBHOOKS_RETRY_SCHEDULE: '50ms, 1s,2m,1h',
      WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    });
    expect(c.shop.url).toBe('https://shop.example.com');
    expect(c.shop.defaultLocale).toBe('de');
    expect(c.mail.smtpUrl).toBe('smtps://user:pw@mail.example.com:465');
    expect(c.mail.from).toBe('Kaffee <hello@example.com>');
    expect(c.mail.staffEmail).toBe('ops@example.com');
    expect(c.mail.retryMaxDelayMs).toBe(50); // never below the first delay
    expect(c.webhooks.retryScheduleMs).toEqual([50, 1000, 120_000, 3_600_000]);
    expect(c.webhooks.allowPrivateTargets).toBe(true);
  });

  it('[REQ-KER-004] refuses bad values, naming the variable', () => {
    expect(fails({ SMTP_URL: 'http://mail.example.com' })).toBe('SMTP_URL');
    expect(fails({ MAIL_FROM: 'not an address' })).toBe('MAIL_FROM');
    expect(fails({ STAFF_NOTIFICATIONS_EMAIL: 'ops' })).toBe('STAFF_NOTIFICATIONS_EMAIL');
    expect(fails({ SHOP_DEFAULT_LOCALE: 'fr' })).toBe('SHOP_DEFAULT_LOCALE');
    expect(fails({ SHOP_LOGO_URL: 'ftp://x/logo.png' })).toBe('SHOP_LOGO_URL');
    expect(fails({ WEBHOOKS_RETRY_SCHEDULE: '5s,soon' })).toBe('WEBHOOKS_RETRY_SCHEDULE');
    expect(fails({ WEBHOOKS_RETRY_SCHEDULE: '25h' })).toBe('WEBHOOKS_RETRY_SCHEDULE');
    expect(fails({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'yes' })).toBe('WEBHOOKS_ALLOW_PRIVATE_TARGETS');
    expect(fails({ WEBHOOKS_TIMEOUT_MS: '5' })).toBe('WEBHOOKS_TIMEOUT_MS');
  });
});
