// Tracing settings: the standard OpenTelemetry variables (OTEL_*), validated at start like every other setting and
// handed to the SDK explicitly (docs/tracing.md). Tracing is off unless an OTLP endpoint is set.
import { ConfigError, type Env, int, oneOf, str, url } from './config-parse.ts';

export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
const COMPRESSIONS = ['gzip', 'none'] as const;

export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

export interface TracingConfig {
  /**
   * Where spans go over OTLP/HTTP (JSON): OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else
   * OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. Undefined = tracing off (also with OTEL_SDK_DISABLED=true or
   * OTEL_TRACES_EXPORTER=none).
   */
  tracesUrl: string | undefined;
  /** OTEL_EXPORTER_OTLP_HEADERS then OTEL_EXPORTER_OTLP_TRACES_HEADERS (`key=value,…`, values percent-decoded). */
  headers: Record<string, string>;
  /** OTEL_EXPORTER_OTLP_TRACES_COMPRESSION or OTEL_EXPORTER_OTLP_COMPRESSION: gzip the export bodies or not. */
  compression: 'gzip' | 'none';
  /** OTEL_EXPORTER_OTLP_TRACES_TIMEOUT or OTEL_EXPORTER_OTLP_TIMEOUT: the longest one export may take, in ms. */
  exportTimeoutMs: number;
  /** OTEL_SERVICE_NAME: the `service.name` resource attribute (default: OTEL_RESOURCE_ATTRIBUTES', else `emporium`). */
  serviceName: string | undefined;
  /** OTEL_RESOURCE_ATTRIBUTES: more resource attributes (`key=value,…`, values percent-decoded). */
  resourceAttributes: Record<string, string>;
  /** OTEL_TRACES_SAMPLER: which traces are recorded (default parentbased_always_on). */
  sampler: TracesSampler;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio of the traceidratio samplers, from 0 to 1 (default 1). */
  samplerRatio: number;
  /** OTEL_BSP_SCHEDULE_DELAY: the batch span processor's delay between two exports, in ms (default 5000). */
  batchDelayMs: number;
  /** OTEL_BSP_MAX_QUEUE_SIZE: spans kept waiting for export; past it new spans are dropped (default 2048). */
  maxQueueSize: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans per export request (default 512, at most the queue size). */
  maxExportBatchSize: number;
}

/** `key=value,key2=value2` (W3C Baggage-like, as the OpenTelemetry spec defines these variables). */
function keyValues(env: Env, name: string): Record<string, string> {
  const raw = str(env, name);
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const idx = part.indexOf('=');
    const key = part.slice(0, idx).trim();
    let value: string;
    try {
      value = decodeURIComponent(part.slice(idx + 1).trim());
    } catch {
      value = '';
    }
    if (idx <= 0 || !/^[A-Za-z0-9._\-/:]{1,255}$/.test(key) || value === '') {
      throw new ConfigError(name, 'a comma-separated list of key=value pairs (values percent-encoded)', '(hidden)');
    }
    out[key] = value;
  }
  return out;
}

function ratio(env: Env): number {
  const raw = str(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (raw === undefined) return 1;
  const n = /^\d*\.?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 0 && n <= 1)) throw new ConfigError('OTEL_TRACES_SAMPLER_ARG', 'a number from 0 to 1 (e.g. 0.1)', raw);
  return n;
}

function tracesUrl(env: Env): string | undefined {
  const specific = url(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  if (specific) return specific;
  const base = url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export function tracingConfig(env: Env): TracingConfig {
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    // The exporter speaks OTLP/HTTP with JSON bodies; refuse a protocol it would silently not use.
    oneOf(env, name, ['http/json'] as const, 'http/json');
  }
  const disabled = oneOf(env, 'OTEL_SDK_DISABLED', ['true', 'false'] as const, 'false') === 'true';
  const exporter = oneOf(env, 'OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, 'otlp');
  const endpoint = tracesUrl(env);
  const serviceName = str(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined && serviceName.length > 255)
    throw new ConfigError('OTEL_SERVICE_NAME', 'at most 255 characters', serviceName);
  const timeout = int(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 100, 120_000);
  const maxQueueSize = int(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000);
  const maxExportBatchSize = int(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1, 1_000_000);
  if (maxExportBatchSize > maxQueueSize) {
    throw new ConfigError(
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      `at most OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize})`,
      String(maxExportBatchSize),
    );
  }
  return {
    tracesUrl: disabled || exporter === 'none' ? undefined : endpoint,
    headers: {
      ...keyValues(env, 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...keyValues(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    },
    compression: oneOf(
      env,
      'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
      COMPRESSIONS,
      oneOf(env, 'OTEL_EXPORTER_OTLP_COMPRESSION', COMPRESSIONS, 'none'),
    ),
    exportTimeoutMs: int(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', timeout, 100, 120_000),
    serviceName,
    resourceAttributes: keyValues(env, 'OTEL_RESOURCE_ATTRIBUTES'),
    sampler: oneOf(env, 'OTEL_TRACES_SAMPLER', TRACES_SAMPLERS, 'parentbased_always_on'),
    samplerRatio: ratio(env),
    batchDelayMs: int(env, 'OTEL_BSP_SCHEDULE_DELAY', 5_000, 1, 600_000),
    maxQueueSize,
    maxExportBatchSize,
  };
}
