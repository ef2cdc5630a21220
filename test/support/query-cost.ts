import { statementsIn } from '../../src/platform/db/db.ts';

/**
 * Statements one operation sends, for N+1 and query-budget tests. Only the operation's own statements count
 * (those sent from its async context, see `statementsIn`): a relay poll, a scheduled job or another test's work
 * in the same window adds nothing. With `warm`, the operation runs once uncounted first, so process caches it
 * fills (pricing reference data, catalog responses) are measured warm.
 */
export async function statementsOf(read: () => Promise<unknown>, options: { warm?: boolean } = {}): Promise<number> {
  if (options.warm) await read();
  return statementsIn(read);
}
