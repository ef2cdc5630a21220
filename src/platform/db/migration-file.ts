// Reading one migration file: its name, checksum, and whether it runs in a transaction (docs/migrations.md).
// A file whose first line is the no-transaction marker holds exactly one concurrent index statement, written to be
// re-run: `create [unique] index concurrently if not exists <name> on <schema>.<table> …` or
// `drop index concurrently if exists <schema>.<name>`. Anything else in such a file is refused before it runs.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MigrationSource {
  /** The module (and schema) the migrations belong to, e.g. `platform`, `catalog`. */
  module: string;
  /** Absolute directory of `NNNN_name.sql` files. */
  dir: string;
}

/** The one statement of a no-transaction migration: which index it builds or drops. */
export interface ConcurrentIndexStatement {
  action: 'create' | 'drop';
  schema: string;
  index: string;
}

export interface Migration {
  module: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
  /** False for a file marked `-- emporium:no-transaction` (a concurrent index build or drop). */
  transactional: boolean;
  /** Set when `transactional` is false. */
  concurrentIndex?: ConcurrentIndexStatement;
}

export class MigrationError extends Error {
  /** The SQLSTATE of the database error that failed the migration, when there was one. */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationError';
    this.code = options.code;
  }
}

/** First line of a migration that must run outside a transaction (`create index concurrently`). */
export const NO_TRANSACTION_MARKER = '-- emporium:no-transaction';

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const IDENT = '([a-z_][a-z0-9_]*)';
const CREATE_RE = new RegExp(
  `^create\\s+(?:unique\\s+)?index\\s+concurrently\\s+if\\s+not\\s+exists\\s+${IDENT}\\s+on\\s+${IDENT}\\.${IDENT}\\b[^;]*$`,
  'i',
);
const DROP_RE = new RegExp(`^drop\\s+index\\s+concurrently\\s+if\\s+exists\\s+${IDENT}\\.${IDENT}$`, 'i');

export function fileName(m: Pick<Migration, 'module' | 'version' | 'name'>): string {
  return `${m.module}/${String(m.version).padStart(4, '0')}_${m.name}.sql`;
}

export function isNoTransaction(text: string): boolean {
  return (text.split('\n', 1)[0] ?? '').trim() === NO_TRANSACTION_MARKER;
}

/** The statement of a no-transaction file, comments and the final `;` removed; throws when it is not one we run. */
export function parseConcurrentIndex(text: string, where: string): ConcurrentIndexStatement {
  const statement = text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .trim()
    .replace(/;\s*$/, '')
    .trim();
  const create = CREATE_RE.exec(statement);
  if (create) return { action: 'create', index: create[1] as string, schema: create[2] as string };
  const drop = DROP_RE.exec(statement);
  if (drop) return { action: 'drop', schema: drop[1] as string, index: drop[2] as string };
  throw new MigrationError(
    `Migration ${where} is marked ${NO_TRANSACTION_MARKER} and must hold exactly one statement: ` +
      '`create [unique] index concurrently if not exists <name> on <schema>.<table> …` or ' +
      '`drop index concurrently if exists <schema>.<name>` (docs/migrations.md).',
  );
}

export function readMigrations(source: MigrationSource): Migration[] {
  const files = readdirSync(source.dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = FILE_RE.exec(file);
    if (!m) throw new MigrationError(`Migration file ${source.module}/${file} must be named NNNN_name.sql`);
    const text = readFileSync(join(source.dir, file), 'utf8');
    const version = Number(m[1]);
    if (out.some((x) => x.version === version)) {
      throw new MigrationError(`Migration version ${version} appears twice in ${source.module}`);
    }
    const transactional = !isNoTransaction(text);
    out.push({
      module: source.module,
      version,
      name: m[2] ?? file,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
      transactional,
      ...(transactional ? {} : { concurrentIndex: parseConcurrentIndex(text, `${source.module}/${file}`) }),
    });
  }
  return out;
}
