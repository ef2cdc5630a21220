// The settings of what leaves the shop: the shop's identity in messages, transactional email, outbound webhooks.
// Parsed once at start by loadConfig (README "Configuration").
import { ConfigError, type Env, int, oneOf, str, url } from './config-parse.ts';

export const MAIL_LOCALES = ['en', 'de'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export interface ShopConfig {
  /** SHOP_NAME: shown in every message's header, subject lines and signature. */
  name: string;
  /** SHOP_ADDRESS: the postal address in every message's footer. */
  address: string;
  /** SHOP_LOGO_URL: an http(s) image shown in the HTML header; none means the name in text. */
  logoUrl: string | undefined;
  /** SHOP_URL: the storefront's base URL; links in messages (reset, verify, order) start with it. */
  url: string;
  /** SHOP_DEFAULT_LOCALE: the language of a message when the recipient's is unknown. */
  defaultLocale: MailLocale;
}

export interface MailConfig {
  /** SMTP_URL (smtp:// or smtps://, credentials in the URL); undefined = the local mail outbox (embedded default). */
  smtpUrl: string | undefined;
  /** MAIL_FROM: the From header, `Name <address>` or a bare address. */
  from: string;
  /** SMTP_POOL_SIZE: pooled SMTP connections per process. */
  poolSize: number;
  /** SMTP_TIMEOUT_MS: connection, greeting and socket timeout of one delivery attempt. */
  timeoutMs: number;
  /** MAIL_MAX_ATTEMPTS: delivery attempts before a message is dead-lettered. */
  maxAttempts: number;
  /** MAIL_RETRY_BASE_MS: the first retry's delay; each next one doubles, up to MAIL_RETRY_MAX_DELAY_MS. */
  retryBaseMs: number;
  /** MAIL_RETRY_MAX_DELAY_MS: the longest delay between two attempts. */
  retryMaxDelayMs: number;
  /** STAFF_NOTIFICATIONS_EMAIL: where staff alerts go (low stock, a disabled webhook endpoint); none = not sent. */
  staffEmail: string | undefined;
}

export interface WebhooksConfig {
  /** WEBHOOKS_ALLOW_PRIVATE_TARGETS: allow private, loopback and link-local targets (tests, private networks). */
  allowPrivateTargets: boolean;
  /** WEBHOOKS_TIMEOUT_MS: the longest one delivery attempt may take (connect to last byte). */
  timeoutMs: number;
  /** WEBHOOKS_RETRY_SCHEDULE: delays after the first, immediate attempt (Standard Webhooks' schedule by default). */
  retryScheduleMs: number[];
  /** WEBHOOKS_DISABLE_AFTER_FAILURES: consecutive failed attempts (no success between) that disable an endpoint. */
  disableAfterFailures: number;
  /** WEBHOOKS_SECRET_OVERLAP_HOURS: after a rotation, the old secret keeps signing this long beside the new one. */
  secretOverlapHours: number;
}

const EMAIL = /^[^@\s<>]+@[^@\s<>]+$/;
const FROM = /^(?:[^<>]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/;

export function shopConfig(env: Env): ShopConfig {
  const name = str(env, 'SHOP_NAME') ?? 'Emporium Demo Shop';
  if (name.length > 100) throw new ConfigError('SHOP_NAME', 'at most 100 characters', name);
  const address = str(env, 'SHOP_ADDRESS') ?? 'Example Street 1, 10115 Berlin, Germany';
  if (address.length > 300) throw new ConfigError('SHOP_ADDRESS', 'at most 300 characters', address);
  return {
    name,
    address,
    logoUrl: url(env, 'SHOP_LOGO_URL', ['http:', 'https:']),
    url: (url(env, 'SHOP_URL', ['http:', 'https:']) ?? 'http://localhost:3000').replace(/\/+$/, ''),
    defaultLocale: oneOf(env, 'SHOP_DEFAULT_LOCALE', MAIL_LOCALES, 'en'),
  };
}

export function mailConfig(env: Env, shopName: string): MailConfig {
  const from = str(env, 'MAIL_FROM') ?? `${shopName.replace(/[<>"]/g, '')} <no-reply@localhost>`;
  if (!FROM.test(from)) throw new ConfigError('MAIL_FROM', 'an address, or Name <address>', from);
  const staffEmail = str(env, 'STAFF_NOTIFICATIONS_EMAIL');
  if (staffEmail !== undefined && !EMAIL.test(staffEmail)) {
    throw new ConfigError('STAFF_NOTIFICATIONS_EMAIL', 'an email address', staffEmail);
  }
  const retryBaseMs = int(env, 'MAIL_RETRY_BASE_MS', 30_000, 10, 3_600_000);
  return {
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    from,
    poolSize: int(env, 'SMTP_POOL_SIZE', 5, 1, 50),
    timeoutMs: int(env, 'SMTP_TIMEOUT_MS', 10_000, 100, 120_000),
    maxAttempts: int(env, 'MAIL_MAX_ATTEMPTS', 12, 1, 50),
    retryBaseMs,
    retryMaxDelayMs: Math.max(retryBaseMs, int(env, 'MAIL_RETRY_MAX_DELAY_MS', 3_600_000, 10, 86_400_000)),
    staffEmail,
  };
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `5s,5m,30m,2h`: a comma-separated list of durations (ms, s, m or h), each at most 24 h. */
function durations(env: Env, name: string, def: string): number[] {
  const raw = str(env, name) ?? def;
  const expected = 'a comma-separated list of durations such as 5s,5m,30m,2h (ms, s, m or h; each at most 24h)';
  const out = raw.split(',').map((part) => {
    const m = /^(\d{1,8})(ms|s|m|h)$/.exec(part.trim());
    if (!m) throw new ConfigError(name, expected, raw);
    const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    if (ms > 86_400_000) throw new ConfigError(name, expected, raw);
    return ms;
  });
  if (out.length > 20) throw new ConfigError(name, `${expected}, at most 20 of them`, raw);
  return out;
}

export function webhooksConfig(env: Env): WebhooksConfig {
  return {
    allowPrivateTargets: oneOf(env, 'WEBHOOKS_ALLOW_PRIVATE_TARGETS', ['true', 'false'] as const, 'false') === 'true',
    timeoutMs: int(env, 'WEBHOOKS_TIMEOUT_MS', 10_000, 100, 60_000),
    retryScheduleMs: durations(env, 'WEBHOOKS_RETRY_SCHEDULE', '5s,5m,30m,2h,5h,10h,10h'),
    disableAfterFailures: int(env, 'WEBHOOKS_DISABLE_AFTER_FAILURES', 50, 1, 10_000),
    secretOverlapHours: int(env, 'WEBHOOKS_SECRET_OVERLAP_HOURS', 24, 0, 720),
  };
}
