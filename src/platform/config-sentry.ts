// Error tracking settings (SENTRY_*): off unless SENTRY_DSN is set. Validated at start like every other setting;
// what is sent and what is scrubbed: docs/error-tracking.md.
import { readFileSync } from 'node:fs';
import { ConfigError, type Env, redactUrl, str, url } from './config-parse.ts';

export interface SentryConfig {
  /** SENTRY_DSN: where events go (`https://<public key>@<host>/<project id>`); undefined = error tracking off. */
  dsn: string | undefined;
  /** SENTRY_ENVIRONMENT: the environment events are filed under; default NODE_ENV. */
  environment: string;
  /** SENTRY_RELEASE: the release events are filed under; default `emporium@<package.json version>`. */
  release: string;
  /** SENTRY_SAMPLE_RATE: the share of error events sent, from 0 to 1 (default 1: all). */
  sampleRate: number;
}

/** `emporium@<version>` from package.json (two levels up from src/platform and from dist/platform alike). */
export function defaultRelease(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return `${pkg.name ?? 'emporium'}@${pkg.version ?? '0.0.0'}`;
  } catch {
    return 'emporium@unknown';
  }
}

function dsn(env: Env): string | undefined {
  const raw = url(env, 'SENTRY_DSN', ['http:', 'https:']);
  if (raw === undefined) return undefined;
  const u = new URL(raw);
  // A DSN names its public key as the user and its project id as the last path segment.
  if (!u.username || !/^\/(?:[^/]+\/)*\d+$/.test(u.pathname)) {
    throw new ConfigError(
      'SENTRY_DSN',
      'a Sentry DSN such as https://<key>@o1.ingest.sentry.io/<project id>',
      redactUrl(raw),
    );
  }
  return raw;
}

// Sentry refuses environment and release names with newlines, slashes (environment) or over 64/200 characters.
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,64}$/;
const RELEASE = /^[A-Za-z0-9@._+:-]{1,200}$/;

function sampleRate(env: Env): number {
  const raw = str(env, 'SENTRY_SAMPLE_RATE');
  if (raw === undefined) return 1;
  const n = /^(0|1|0?\.\d+|1\.0*)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 0 && n <= 1)) throw new ConfigError('SENTRY_SAMPLE_RATE', 'a number from 0 to 1 (e.g. 0.25)', raw);
  return n;
}

export function sentryConfig(env: Env, nodeEnv: string): SentryConfig {
  const environment = str(env, 'SENTRY_ENVIRONMENT') ?? nodeEnv;
  if (!ENVIRONMENT.test(environment)) {
    throw new ConfigError('SENTRY_ENVIRONMENT', 'up to 64 letters, digits, ., _ or -', environment);
  }
  const release = str(env, 'SENTRY_RELEASE') ?? defaultRelease();
  if (!RELEASE.test(release)) {
    throw new ConfigError(
      'SENTRY_RELEASE',
      'up to 200 letters, digits, @, ., _, +, : or - (e.g. emporium@1.4.2)',
      release,
    );
  }
  return { dsn: dsn(env), environment, release, sampleRate: sampleRate(env) };
}
