// The GDPR export document: identity's own sections plus one section per module that holds personal data,
// under `modules.<name>`. Its schema is built from the modules' own export schemas (OpenAPI documents it).
import { type TSchema, Type } from 'typebox';
import type { Ctx } from '../context.ts';
import type { DataSubject, Privacy } from './privacy.ts';

/** Bumped when a section changes shape incompatibly. */
export const EXPORT_SCHEMA_VERSION = 1;

export async function exportModules(
  privacy: Privacy,
  ctx: Ctx,
  subject: DataSubject,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const c of privacy.contributors) if (c.exportFor) out[c.name] = await c.exportFor(ctx, subject);
  return out;
}

export function exportModulesSchema(privacy: Privacy): TSchema {
  return Type.Object(
    Object.fromEntries(
      privacy.contributors.filter((c) => c.exportFor).map((c) => [c.name, c.exportSchema ?? Type.Unknown()]),
    ),
    { description: "Each module's personal data about the subject" },
  );
}
