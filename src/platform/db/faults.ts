// Database faults the process survives: a connection that drops (server restart, failover, a DBA's
// pg_terminate_backend), a server that refuses connections, a pool with no free connection within its wait limit,
// a statement past statement_timeout. The HTTP layer answers them 503 with Retry-After; nothing else changes:
// a transaction cut by a dropped connection is rolled back by PostgreSQL.

export type DbFaultKind = 'connection' | 'pool_wait' | 'statement_timeout' | 'unavailable';

/** SQLSTATE classes and codes that mean "the server or the connection went away", not "the query is wrong". */
const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'terminating connection',
  'is not queryable',
  'Client was closed',
  'Connection ended',
  'the database system is starting up',
  'the database system is shutting down',
  'is not currently accepting connections',
];

export function dbFaultKind(e: unknown): DbFaultKind | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const err = e as { code?: unknown; message?: unknown; cause?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : '';
  if (message.includes('timeout exceeded when trying to connect')) return 'pool_wait';
  if (code === '57014' && message.includes('statement timeout')) return 'statement_timeout';
  if (code === '25P03') return 'statement_timeout'; // idle_in_transaction_session_timeout
  // A failover that left us on a demoted primary (or a replica): writes refused until the pool reconnects.
  if (code === '25006') return 'unavailable';
  if (CONNECTION_STATES.has(code) || NODE_CODES.has(code)) return 'connection';
  if (CONNECTION_MESSAGES.some((m) => message.includes(m))) return 'connection';
  if (err.cause && err.cause !== e) return dbFaultKind(err.cause);
  return undefined;
}

/** The SQLSTATE or Node error code of a fault, for logs (never the message: it may quote data). */
export function faultCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
