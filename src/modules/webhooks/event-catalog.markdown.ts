// The event catalog as the Markdown section of docs/webhooks.md (between the two markers below): a summary table,
// then each type's payload fields. The test test/webhooks/event-catalog-doc.test.ts fails when the doc differs from
// the live catalog, and rewrites the section when run with UPDATE_WEBHOOK_DOCS=1. The full JSON Schemas are served
// by GET /v1/admin/webhooks/event-types.
import { EVENT_CATALOG } from './event-catalog.ts';

export const CATALOG_START =
  '<!-- event-catalog:start (generated from the live catalog; see event-catalog.markdown.ts) -->';
export const CATALOG_END = '<!-- event-catalog:end -->';

interface Schema {
  type?: string;
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  const?: unknown;
  enum?: unknown[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A short type name: `string`, `integer`, `string[]`, `object`, `'a' \| 'b'`, `string or null`. */
function typeName(s: Schema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' or ');
  if (s.anyOf) return s.anyOf.map(typeName).join(' or ');
  if (s.type === 'array') return `${s.items ? typeName(s.items) : 'any'}[]`;
  return s.type ?? 'any';
}

/** Rows for an object's fields; nested objects (and arrays of them) flattened as `parent.child`. */
function fieldRows(s: Schema, prefix = ''): string[] {
  const rows: string[] = [];
  const required = new Set(s.required ?? []);
  for (const [name, f] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push(
      `| \`${path}\` | ${cell(typeName(f))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(f.description ?? '')} |`,
    );
    const inner = f.type === 'array' ? f.items : f;
    if (inner?.properties) rows.push(...fieldRows(inner, `${path}${f.type === 'array' ? '[]' : ''}.`));
  }
  return rows;
}

function payloadSection(s: Schema): string[] {
  const variants = s.anyOf && !s.type ? s.anyOf : [s];
  return variants.flatMap((v, i) => [
    ...(variants.length > 1 ? ['', `Variant ${i + 1}${v.description ? `: ${v.description}` : ''}`] : []),
    '',
    '| field | type | required | description |',
    '|---|---|---|---|',
    ...fieldRows(v),
  ]);
}

export function catalogMarkdown(): string {
  const lines = ['| type | what happened |', '|---|---|'];
  for (const e of EVENT_CATALOG) lines.push(`| \`${e.type}\` | ${cell(e.description)} |`);
  for (const e of EVENT_CATALOG) {
    lines.push('', `### \`${e.type}\``, '', e.description, ...payloadSection(e.schema as Schema));
  }
  return lines.join('\n');
}

/** `doc` with its catalog section replaced by the live catalog. */
export function withCatalog(doc: string): string {
  const start = doc.indexOf(CATALOG_START);
  const end = doc.indexOf(CATALOG_END);
  if (start < 0 || end < start) throw new Error('docs/webhooks.md has no event catalog markers');
  return `${doc.slice(0, start + CATALOG_START.length)}\n${catalogMarkdown()}\n${doc.slice(end)}`;
}
