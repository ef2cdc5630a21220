// An error as an error-level log line carries it (the `err` field, in pino's shape: type, message, stack and the
// error's own fields), under the rules error tracking applies (error-tracking-scrub.ts): email-like, card-like and
// credential-like text masked, values under secret or personal keys redacted. An error whose message quotes what the
// client sent (graphql-js's coercion messages repeat the value: `Int cannot represent non-integer value: "…"`) is
// logged without its message: the stack's frames and its fields say where it came from.
// The result has no prototype and names its type in `name`: pino's `err` serializer then reports that type (it would
// say `Object` for a plain object) and appends a cause's message and stack as it does for an Error.
import { REDACTED, scrubText, scrubValue } from './error-tracking-scrub.ts';

export interface LoggableErrorOptions {
  /** The message may repeat client input: log `[redacted]` instead of it (and of the stack's first line). */
  withoutMessage?: boolean;
}

const MAX_CAUSES = 3;

function framesOnly(stack: string): string {
  const at = stack.indexOf('\n    at ');
  return at === -1 ? REDACTED : `${REDACTED}${stack.slice(at)}`;
}

export function loggableError(error: unknown, options: LoggableErrorOptions = {}, depth = 0): unknown {
  if (!(error instanceof Error)) return scrubValue(error);
  const { message, stack, cause, ...own } = error as Error & Record<string, unknown>;
  const type = error.constructor?.name || error.name;
  const out: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, {
    name: type,
    message: options.withoutMessage ? REDACTED : scrubText(message),
    ...(typeof stack === 'string' ? { stack: options.withoutMessage ? framesOnly(stack) : scrubText(stack) } : {}),
    ...(scrubValue(own) as Record<string, unknown>),
  });
  if (cause !== undefined && depth < MAX_CAUSES) out.cause = loggableError(cause, options, depth + 1);
  return out;
}
