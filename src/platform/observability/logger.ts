// pino JSON logs. Secrets never reach a log line: authorization headers, cookies, passwords, tokens,
// API keys and card-like fields are redacted wherever they appear one or two levels deep; so are
// personal fields (email, phone, addresses, IPs, user agents).
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.ts';

export const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'secret',
  'cardNumber',
  'cvc',
];

// Personal data never reaches a log line in clear either (docs/privacy.md): these keys are redacted the same way.
export const PERSONAL_KEYS = [
  'email',
  'phone',
  'shippingAddress',
  'billingAddress',
  'address',
  'tokenSealed',
  'ip',
  'remoteAddress',
  'userAgent',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-cart-token"]',
  'req.headers["x-order-token"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'req.headers["user-agent"]',
  'req.headers["x-forwarded-for"]',
  ...[...SECRET_KEYS, ...PERSONAL_KEYS].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'emporium' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
