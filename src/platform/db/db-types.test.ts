// The generated table types (`<module>/db.generated.ts`) are what the migrations produce: generated here on a
// fresh database (PostgreSQL with TEST_DATABASE_URL, else embedded PGlite) and compared with the committed files.
import { describe, expect, it } from 'vitest';
import { type GeneratedFile, generateTypes, staleFiles, withTempDatabase } from '../../../scripts/db-types/generate.ts';
import { TEST_DATABASE_URL } from '../../../test/support/services.ts';

const generate = (): Promise<GeneratedFile[]> =>
  TEST_DATABASE_URL ? withTempDatabase(TEST_DATABASE_URL, generateTypes) : generateTypes('memory://');

const tableKeys = (text: string) => [...text.matchAll(/^ {2}'([a-z_]+)\.([a-z_]+)': /gm)].map((m) => m[1]);

describe('generated table types [REQ-KER-020]', () => {
  it('[REQ-KER-020] the committed files equal a fresh generation; each module sees only its own schemas', async () => {
    const files = await generate();
    expect(staleFiles(files)).toEqual([]);

    const byPath = new Map(files.map((f) => [f.path, f.text]));
    // One file per migration source, beside its migrations; a module file names only its own schema's tables.
    for (const m of ['cart', 'catalog', 'identity', 'inventory', 'payments', 'pricing', 'search']) {
      const text = byPath.get(`src/modules/${m}/db.generated.ts`);
      expect(text, m).toBeDefined();
      expect(new Set(tableKeys(text ?? ''))).toEqual(new Set([m]));
    }
    expect(new Set(tableKeys(byPath.get('src/platform/db/db.generated.ts') ?? ''))).toEqual(
      new Set(['platform', 'privacy']),
    );

    // The types say what the pg type parsers return: int8 (bigserial) → number, timestamptz → Date, jsonb → JSON.
    const platform = byPath.get('src/platform/db/db.generated.ts') ?? '';
    expect(platform).toMatch(/export interface PlatformOutbox \{[^}]*\n {2}seq: Generated<number>;/);
    expect(platform).not.toMatch(/Int8|bigint/);
    // Deterministic: no timestamps, no generator version, the same text twice.
    for (const f of files) expect(f.text).not.toMatch(/\d{4}-\d{2}-\d{2}T|kysely-codegen v?\d/);
    expect((await generate()).map((f) => f.text)).toEqual(files.map((f) => f.text));
  }, 180_000);
});
