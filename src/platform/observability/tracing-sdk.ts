// The OpenTelemetry SDK, loaded only when tracing is on (tracing.ts): a tracer provider of this app instance with
// a batch span processor exporting OTLP/HTTP JSON, the sampler and resource of the OTEL_* settings, and the
// AsyncLocalStorage context manager (registered once per process: the context API is process-wide).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { context, DiagLogLevel, diag } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  type IdGenerator,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config-observability.ts';
import type { Tracing } from './tracing-context.ts';
import { installHttpTracing } from './tracing-http.ts';

type ExporterOptions = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

let contextManagerInstalled = false;

/** The process-wide context manager; another one already registered (an error tracker's) is kept. */
function installContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

function sampler(config: TracingConfig): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Random ids, except that a request without a valid incoming traceparent gets, for its root span, the trace id its
 * log lines and problem body already carry (set synchronously right before that span starts).
 */
class RequestIdGenerator implements IdGenerator {
  next: string | undefined;
  generateTraceId(): string {
    const id = this.next;
    if (id !== undefined) {
      this.next = undefined;
      return id;
    }
    return randomBytes(16).toString('hex');
  }
  generateSpanId(): string {
    return randomBytes(8).toString('hex');
  }
}

/** Tells the caller about failed exports (a collector down) without ever throwing into the app. */
function reportingExporter(inner: SpanExporter, onError: ((e: unknown) => void) | undefined): SpanExporter {
  return {
    export(spans: ReadableSpan[], done) {
      inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          try {
            onError?.(result.error);
          } catch {
            // reporting must never throw
          }
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush ? { forceFlush: () => (inner.forceFlush as () => Promise<void>)() } : {}),
  };
}

export function createSdkTracing(config: TracingConfig, onExportError?: (e: unknown) => void): Tracing {
  installContextManager();
  // The SDK's own diagnostics stay quiet unless something is badly wrong; export failures reach our logger.
  diag.setLogger(
    { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} },
    DiagLogLevel.NONE,
  );
  const url = config.tracesUrl as string;
  const exporter = new OTLPTraceExporter({
    url,
    headers: config.headers,
    timeoutMillis: config.exportTimeoutMs,
    compression: config.compression as ExporterOptions['compression'],
  });
  const ids = new RequestIdGenerator();
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES, which wins over ours.
        [ATTR_SERVICE_NAME]: 'emporium',
        [ATTR_SERVICE_VERSION]: version(),
        ...config.resourceAttributes,
        ...(config.serviceName ? { [ATTR_SERVICE_NAME]: config.serviceName } : {}),
      }),
    ),
    sampler: sampler(config),
    idGenerator: ids,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: reportingExporter(exporter, onExportError),
        scheduledDelayMillis: config.batchDelayMs,
        maxQueueSize: config.maxQueueSize,
        maxExportBatchSize: config.maxExportBatchSize,
        exportTimeoutMillis: config.exportTimeoutMs,
      }),
    ],
  });
  const tracer = provider.getTracer('emporium', version());
  let stopped = false;
  const tracing: Tracing = {
    tracer,
    setNextRootTraceId(traceId) {
      ids.next = traceId;
    },
    async flush() {
      if (stopped) return;
      await provider.forceFlush({ timeoutMillis: config.exportTimeoutMs }).catch(() => {});
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await provider.shutdown().catch(() => {});
    },
    installHttp: (app) => installHttpTracing(app, tracing),
  };
  return tracing;
}
