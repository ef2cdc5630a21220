// The process's NATS connection. NATS being down never stops the process: when it does not answer at start-up, the
// process starts anyway (events wait in the transactional outbox) and connects in the background, retrying until it
// answers; once connected, the client reconnects by itself after any later drop. Logged and gauged both ways.
import { type ConnectionOptions, connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';

export interface NatsLink {
  /** The connection once made (at once when NATS answered at start-up). */
  current(): NatsConnection | undefined;
  /** Resolves with the connection; rejects if the link is closed before one was made. */
  connected: Promise<NatsConnection>;
  close(): Promise<void>;
}

/** Pause between connection attempts while NATS has never answered. */
const RETRY_MS = 1_000;

export function natsOptions(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    servers: `${u.hostname}:${u.port || 4222}`,
    ...(u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : {}),
    name: 'emporium',
    maxReconnectAttempts: -1,
    timeout: 2_000,
  };
}

/** After the first connection: drops and returns, from the client's own status stream. */
function watch(nc: NatsConnection, logger: Logger, metrics: Metrics, setUp: (up: boolean) => void): void {
  let up = true;
  void (async () => {
    for await (const s of nc.status()) {
      if ((s.type === 'disconnect' || s.type === 'staleConnection') && up) {
        up = false;
        setUp(false);
        metrics.dependencyErrors.inc({ dependency: 'nats', kind: 'connection' });
        logger.warn('nats unavailable: events wait in the outbox until it returns');
      } else if (s.type === 'reconnect' && !up) {
        up = true;
        setUp(true);
        logger.info('nats available again');
      }
    }
  })().catch(() => {});
}

export async function openNats(
  url: string,
  deps: { logger: Logger; metrics: Metrics },
  options: { retryMs?: number } = {},
): Promise<NatsLink> {
  const { logger, metrics } = deps;
  let nc: NatsConnection | undefined;
  let up = false;
  let closed = false;
  let wakeRetry: (() => void) | undefined;
  metrics.probeDependency('nats', () => up);
  const opts = natsOptions(url);

  const attached = (c: NatsConnection) => {
    nc = c;
    up = true;
    watch(c, logger, metrics, (u) => {
      up = u;
    });
    return c;
  };

  async function keepTrying(): Promise<NatsConnection> {
    for (let tries = 1; ; tries++) {
      await new Promise<void>((r) => {
        wakeRetry = r;
        setTimeout(r, options.retryMs ?? RETRY_MS).unref();
      });
      if (closed) throw new Error('closed before NATS answered');
      try {
        const c = await connect(opts);
        if (closed) {
          await c.close();
          throw new Error('closed before NATS answered');
        }
        logger.info({ attempts: tries }, 'nats answered: connected');
        return attached(c);
      } catch (e) {
        if (closed) throw e;
        if (tries === 1 || tries % 60 === 0) {
          logger.warn({ err: (e as Error)?.message, attempts: tries }, 'nats still unreachable; retrying');
        }
      }
    }
  }

  let connected: Promise<NatsConnection>;
  try {
    connected = Promise.resolve(attached(await connect(opts)));
  } catch (e) {
    metrics.dependencyErrors.inc({ dependency: 'nats', kind: 'connection' });
    logger.warn(
      { err: (e as Error)?.message },
      'nats unreachable at start-up: starting without it; events wait in the outbox until it answers',
    );
    connected = keepTrying();
    // Whoever waits on it handles the rejection at close; this keeps an unobserved one from being reported.
    connected.catch(() => {});
  }

  return {
    current: () => nc,
    connected,
    async close() {
      closed = true;
      wakeRetry?.();
      const c = nc;
      if (c) await c.drain().catch(() => c.close());
    },
  };
}
