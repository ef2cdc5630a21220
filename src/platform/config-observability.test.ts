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

describe('tracing settings (OTEL_*) [REQ-TRC-007]', () => {
  it('[REQ-TRC-007] off by default; the standard defaults otherwise', () => {
    expect(loadConfig({}).tracing).toEqual({
      tracesUrl: undefined,
      headers: {},
      compression: 'none',
      exportTimeoutMs: 10_000,
      serviceName: undefined,
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      batchDelayMs: 5_000,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
    });
  });

  it('[REQ-TRC-007] the endpoint gets /v1/traces; the traces endpoint is used as given; both can be switched off', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    const both = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/v1/traces',
    };
    expect(loadConfig(both).tracing.tracesUrl).toBe('https://traces.example.com/otlp/v1/traces');
    expect(loadConfig({ ...both, OTEL_SDK_DISABLED: 'true' }).tracing.tracesUrl).toBeUndefined();
    expect(loadConfig({ ...both, OTEL_TRACES_EXPORTER: 'none' }).tracing.tracesUrl).toBeUndefined();
  });

  it('[REQ-TRC-007] parses headers, resource attributes, sampler and batch settings', () => {
    const c = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=shop',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
      OTEL_SERVICE_NAME: 'emporium-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.namespace=shop',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    }).tracing;
    expect(c.compression).toBe('gzip');
    expect(c.headers).toEqual({ authorization: 'Bearer abc', 'x-tenant': 'traces' });
    expect(c.serviceName).toBe('emporium-eu');
    expect(c.resourceAttributes).toEqual({ 'deployment.environment.name': 'prod', 'service.namespace': 'shop' });
    expect(c).toMatchObject({ sampler: 'parentbased_traceidratio', samplerRatio: 0.25, batchDelayMs: 1000 });
    expect(c.exportTimeoutMs).toBe(3000);
  });

  it('[REQ-TRC-007] refuses what the SDK would silently ignore or misuse', () => {
    expect(fails({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toBe('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(fails({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://x:4317' })).toBe('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    expect(fails({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe('OTEL_EXPORTER_OTLP_PROTOCOL');
    expect(fails({ OTEL_TRACES_SAMPLER: 'sometimes' })).toBe('OTEL_TRACES_SAMPLER');
    expect(fails({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toBe('OTEL_TRACES_SAMPLER_ARG');
    expect(fails({ OTEL_EXPORTER_OTLP_HEADERS: 'novalue' })).toBe('OTEL_EXPORTER_OTLP_HEADERS');
    expect(fails({ OTEL_RESOURCE_ATTRIBUTES: '=x' })).toBe('OTEL_RESOURCE_ATTRIBUTES');
    expect(fails({ OTEL_SDK_DISABLED: 'yes' })).toBe('OTEL_SDK_DISABLED');
    expect(fails({ OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' })).toBe('OTEL_EXPORTER_OTLP_COMPRESSION');
    expect(fails({ OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20' })).toBe(
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    );
  });
});
