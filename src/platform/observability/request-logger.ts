// A request's logger, made when the request first writes a line. Fastify asks for a child logger per request
// (bindings: the request id, and here the trace id); pino builds one at once: its bindings serialised, and each
// level's method built again when a level is passed. Most requests write no line, and under load those per-request
// objects were a tenth of what V8 promoted to its old generation (docs/benchmarks.md, "Per-request garbage").
// This stands in for the child: a level that is off costs one comparison, and the first line written makes the real
// child, with the same bindings and options, so the line is exactly what the child would have written.
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString } from 'pino';

type Args = Parameters<FastifyBaseLogger['info']>;

export class LazyRequestLogger {
  #made: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: () => Bindings;
  readonly #options: ChildLoggerOptions;

  /** `bindings` runs once, when the child is made. */
  constructor(parent: FastifyBaseLogger, bindings: () => Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  /** Whether the real child exists (tests). */
  get made(): boolean {
    return this.#made !== undefined;
  }

  #child(): FastifyBaseLogger {
    this.#made ??= this.#parent.child(this.#bindings(), this.#options);
    return this.#made;
  }

  get level(): LevelWithSilentOrString {
    return this.#made?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#child().level = level;
  }

  /** As pino's isLevelEnabled: `level` is at or above this logger's level (nothing is, at `silent`). */
  isLevelEnabled(level: Level): boolean {
    const values = (this.#parent as unknown as { levels: { values: Record<string, number> } }).levels.values;
    const own = values[this.level];
    return own !== undefined && (values[level] ?? 0) >= own;
  }

  #write(level: Level, args: Args): void {
    if (this.isLevelEnabled(level)) (this.#child()[level] as (...a: Args) => void)(...args);
  }

  fatal(...args: Args): void {
    this.#write('fatal', args);
  }
  error(...args: Args): void {
    this.#write('error', args);
  }
  warn(...args: Args): void {
    this.#write('warn', args);
  }
  info(...args: Args): void {
    this.#write('info', args);
  }
  debug(...args: Args): void {
    this.#write('debug', args);
  }
  trace(...args: Args): void {
    this.#write('trace', args);
  }
  silent(..._args: Args): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#child().child(bindings, options);
  }
}

/** A FastifyBaseLogger that makes its pino child on the first line written (see LazyRequestLogger). */
export function lazyRequestLogger(
  parent: FastifyBaseLogger,
  bindings: () => Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
