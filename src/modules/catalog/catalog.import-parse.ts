// Streaming parsers for bulk import (CSV per RFC 4180, NDJSON) and the mapping of one record to an
// import row. Pure apart from reading the stream; memory stays bounded by one record.
import { isCurrencyCode } from '../../platform/iso-codes.ts';

export interface ImportRow {
  line: number;
  slug: string;
  name: string;
  brand: string | null;
  description: string;
  status: 'draft' | 'published' | 'archived';
  /** The product's tax category; null when the record has none (a new product gets `standard`, an existing one keeps its own). */
  taxCategory: string | null;
  categories: string[];
  sku: string;
  barcode: string | null;
  weightGrams: number | null;
  cost: number | null;
  attributes: Record<string, string>;
  prices: { currency: string; amount: number; compareAt: number | null }[];
}

export type ParsedRecord = { line: number; record: Record<string, unknown> } | { line: number; error: string };

/** Yields CSV records as header → value objects; quotes, escaped quotes and newlines in quotes supported. */
export async function* parseCsv(stream: AsyncIterable<Buffer | string>): AsyncGenerator<ParsedRecord> {
  let header: string[] | undefined;
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  const emit = function* (): Generator<ParsedRecord> {
    fields.push(field);
    field = '';
    const values = fields;
    fields = [];
    if (values.length === 1 && values[0] === '') return;
    if (!header) {
      header = values.map((h) => h.trim());
      return;
    }
    if (values.length !== header.length) {
      yield { line: recordLine, error: `expected ${header.length} fields, got ${values.length}` };
      return;
    }
    const record: Record<string, unknown> = {};
    header.forEach((h, i) => {
      record[h] = values[i];
    });
    yield { line: recordLine, record };
  };
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (c === '"' && field === '' && !afterQuote) quoted = true;
      else if (c === ',') {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (c === '\n') {
        yield* emit();
        afterQuote = false;
        line++;
        recordLine = line;
      } else if (c !== '\r') field += c;
    }
  }
  if (field !== '' || fields.length) yield* emit();
}

/** Yields one record per non-empty NDJSON line. */
export async function* parseNdjson(stream: AsyncIterable<Buffer | string>): AsyncGenerator<ParsedRecord> {
  let rest = '';
  let line = 0;
  const decoder = new TextDecoder();
  const one = (text: string): ParsedRecord | undefined => {
    line++;
    if (!text.trim()) return undefined;
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return { line, error: 'not a JSON object' };
      return { line, record: value as Record<string, unknown> };
    } catch {
      return { line, error: 'invalid JSON' };
    }
  };
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const r = one(rest.slice(0, nl));
      if (r) yield r;
      rest = rest.slice(nl + 1);
      nl = rest.indexOf('\n');
    }
  }
  const r = one(rest);
  if (r) yield r;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TAX_CATEGORY = /^[a-z][a-z0-9_]{0,39}$/;

function int(v: unknown, field: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${field} must be a non-negative integer (minor units)`);
  return n;
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).trim();
}

/**
 * Maps a CSV or NDJSON record to an import row. CSV columns: slug, name, brand, description, status, taxCategory,
 * categories (slugs separated by `|`), sku, barcode, weightGrams, cost, `attr:<name>`, `price:<CUR>`,
 * `compareAt:<CUR>`. NDJSON objects may use `attributes: {}` and `prices: [{currency, amount, compareAt}]` instead.
 */
export function toImportRow(line: number, r: Record<string, unknown>): ImportRow {
  const slug = str(r.slug);
  if (!SLUG.test(slug)) throw new Error('slug must be lower-case words joined by hyphens');
  const name = str(r.name);
  if (!name) throw new Error('name is required');
  const sku = str(r.sku);
  if (!sku || /\s/.test(sku) || sku.length > 100)
    throw new Error('sku is required (no spaces, at most 100 characters)');
  const status = str(r.status) || 'published';
  if (status !== 'draft' && status !== 'published' && status !== 'archived') {
    throw new Error('status must be draft, published or archived');
  }
  const taxCategory = str(r.taxCategory) || null;
  if (taxCategory !== null && !TAX_CATEGORY.test(taxCategory)) {
    throw new Error('taxCategory must be lower-case letters, digits and _ (e.g. reduced)');
  }
  const attributes: Record<string, string> = {};
  if (r.attributes && typeof r.attributes === 'object') {
    for (const [k, v] of Object.entries(r.attributes as Record<string, unknown>)) attributes[k] = str(v);
  }
  const prices = new Map<string, { currency: string; amount: number; compareAt: number | null }>();
  if (Array.isArray(r.prices)) {
    for (const p of r.prices as Record<string, unknown>[]) {
      const currency = str(p.currency);
      const amount = int(p.amount, `price ${currency}`);
      if (!isCurrencyCode(currency))
        throw new Error(`price currency "${currency}" is not an ISO 4217 currency in current use`);
      if (amount === null) throw new Error('prices need a currency and an amount');
      prices.set(currency, { currency, amount, compareAt: int(p.compareAt, `compareAt ${currency}`) });
    }
  }
  for (const [key, value] of Object.entries(r)) {
    const [kind, name2] = key.split(':');
    if (!name2) continue;
    if (kind === 'attr') {
      if (str(value)) attributes[name2] = str(value);
    } else if (kind === 'price' && str(value)) {
      if (!isCurrencyCode(name2)) throw new Error(`column ${key}: not an ISO 4217 currency in current use`);
      const amount = int(value, key) as number;
      prices.set(name2, { currency: name2, amount, compareAt: prices.get(name2)?.compareAt ?? null });
    }
  }
  for (const [key, value] of Object.entries(r)) {
    const [kind, cur] = key.split(':');
    if (kind === 'compareAt' && cur && str(value)) {
      const p = prices.get(cur);
      if (!p) throw new Error(`${key} without price:${cur}`);
      p.compareAt = int(value, key);
    }
  }
  const categories = Array.isArray(r.categories)
    ? r.categories.map(str)
    : str(r.categories)
        .split('|')
        .map((c) => c.trim())
        .filter(Boolean);
  return {
    line,
    slug,
    name,
    brand: str(r.brand) || null,
    description: str(r.description),
    status,
    taxCategory,
    categories,
    sku,
    barcode: str(r.barcode) || null,
    weightGrams: int(r.weightGrams, 'weightGrams'),
    cost: int(r.cost, 'cost'),
    attributes,
    prices: [...prices.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)),
  };
}
