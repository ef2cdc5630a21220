// SQL spans, made by the database layer itself for PostgreSQL and PGlite alike (no instrumentation library covers
// PGlite): every statement Kysely runs passes its log hook (db.ts statementLog), which knows the statement text with
// `$1` placeholders and its duration; the span is recorded there, after the fact, as a child of the active span.
// Statements outside any span (the relay's and the scheduler's polling) make none. Values never reach a span.
import { type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from '@opentelemetry/semantic-conventions';
import type { LogEvent } from 'kysely';

/** Where a database's spans go; set on the Db when tracing is on (kernel), undefined otherwise. */
export interface DbTracer {
  tracer: Tracer;
}

const SYSTEM = 'postgresql';
const OPERATION_RE = /^\s*(?:\/\*[\s\S]*?\*\/\s*)?([A-Za-z]+)/;
const NAME = '("[^"]+"|[A-Za-z_][\\w$]*)(?:\\.("[^"]+"|[A-Za-z_][\\w$]*))?';
const TARGET: Record<string, RegExp> = {
  SELECT: new RegExp(`\\bfrom\\s+${NAME}`, 'i'),
  DELETE: new RegExp(`^\\s*delete\\s+from\\s+${NAME}`, 'i'),
  INSERT: new RegExp(`^\\s*insert\\s+into\\s+${NAME}`, 'i'),
  UPDATE: new RegExp(`^\\s*update\\s+${NAME}`, 'i'),
};

const unquote = (s: string | undefined) => (s?.startsWith('"') ? s.slice(1, -1) : s);

type Described = { operation: string | undefined; collection: string | undefined };
/** Statement texts repeat (Kysely compiles the same shapes): each is described once, up to a bound. */
const described = new Map<string, Described>();

/** `SELECT`, `INSERT`, … and the table a simple statement works on (`schema.table`), for the span name. */
export function describeStatement(text: string): Described {
  let d = described.get(text);
  if (!d) {
    if (described.size >= 2000) described.clear();
    d = parse(text);
    described.set(text, d);
  }
  return d;
}

function parse(text: string): Described {
  const operation = OPERATION_RE.exec(text)?.[1]?.toUpperCase();
  const re = operation ? TARGET[operation] : undefined;
  const m = re?.exec(text);
  const collection = m ? [unquote(m[1]), unquote(m[2])].filter(Boolean).join('.') : undefined;
  return { operation, collection };
}

/** The active context when it holds a span (SQL and transactions are traced only as part of a trace). */
export function tracedParent(): Context | undefined {
  const active = context.active();
  return trace.getSpan(active) ? active : undefined;
}

/** Records one executed statement as a CLIENT span that ended now and lasted `event.queryDurationMillis`. */
export function recordStatementSpan(t: DbTracer, event: LogEvent): void {
  const parent = tracedParent();
  if (!parent) return;
  const endMs = performance.timeOrigin + performance.now();
  const text = event.query.sql;
  const { operation, collection } = describeStatement(text);
  const span = t.tracer.startSpan(
    operation ? (collection ? `${operation} ${collection}` : operation) : SYSTEM,
    {
      kind: SpanKind.CLIENT,
      startTime: endMs - event.queryDurationMillis,
      attributes: {
        'db.system': SYSTEM,
        [ATTR_DB_SYSTEM_NAME]: SYSTEM,
        [ATTR_DB_QUERY_TEXT]: text,
        ...(operation ? { [ATTR_DB_OPERATION_NAME]: operation } : {}),
        ...(collection ? { [ATTR_DB_COLLECTION_NAME]: collection } : {}),
      },
    },
    parent,
  );
  if (event.level === 'error') {
    const code = (event.error as { code?: unknown } | null)?.code;
    span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : 'error');
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end(endMs);
}

/** A span around one `db.transaction` call (all its attempts), active while it runs; none outside a trace. */
export async function inTransactionSpan<T>(t: DbTracer | undefined, fn: (span: Span | undefined) => Promise<T>) {
  const parent = t ? tracedParent() : undefined;
  if (!t || !parent) return fn(undefined);
  const span = t.tracer.startSpan(
    'transaction',
    { kind: SpanKind.INTERNAL, attributes: { 'db.system': SYSTEM, [ATTR_DB_SYSTEM_NAME]: SYSTEM } },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : ((e as Error)?.name ?? 'error'));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw e;
  } finally {
    span.end();
  }
}
