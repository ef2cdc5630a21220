// Redis spans: one CLIENT span per ioredis command sent inside a trace (the cache, rate limits and anything else on
// the kernel's connection), wrapping the connection's `sendCommand`. Installed only when tracing is on. Arguments
// (keys, values) are never recorded: the span says which command, not on what.
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import type { Command, Redis } from 'ioredis';
import { tracedParent } from '../db/db-tracing.ts';

export function traceRedis(redis: Redis, tracer: Tracer): void {
  const send = redis.sendCommand.bind(redis) as (command: Command, stream?: unknown) => unknown;
  const server = {
    [ATTR_SERVER_ADDRESS]: redis.options.host ?? 'localhost',
    [ATTR_SERVER_PORT]: redis.options.port ?? 6379,
  };
  (redis as { sendCommand: unknown }).sendCommand = (command: Command, stream?: unknown) => {
    const parent = tracedParent();
    if (!parent) return send(command, stream);
    const operation = command.name.toUpperCase();
    const span = tracer.startSpan(
      operation,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system': 'redis',
          [ATTR_DB_SYSTEM_NAME]: 'redis',
          [ATTR_DB_OPERATION_NAME]: operation,
          ...server,
        },
      },
      parent,
    );
    command.promise.then(
      () => span.end(),
      (e: unknown) => {
        span.setAttribute(ATTR_ERROR_TYPE, (e as Error)?.name ?? 'error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: String((e as Error)?.message ?? e).slice(0, 200) });
        span.end();
      },
    );
    return send(command, stream);
  };
}
