// problem+json (RFC 9457) answers from the API, turned into what the page shows: the `detail` next to the action,
// and each entry of a validation problem's `errors` next to its form field.

export interface FieldProblem {
  field: string;
  message: string;
}
export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[];
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && ('detail' in value || 'title' in value || 'code' in value);
}

/** The sentence to show for a problem: its detail, else its title, else the status. */
export function problemMessage(p: unknown, fallback = 'The request failed.'): string {
  if (!isProblem(p)) return fallback;
  return p.detail ?? p.title ?? (p.status ? `HTTP ${p.status}` : fallback);
}

/**
 * The form field a validation error names: the API says `body/variants/0/sku`, react-hook-form calls it
 * `variants.0.sku`. Errors outside the body (query, headers, params) belong to no field.
 */
export function fieldPath(field: string): string | undefined {
  const [where, ...rest] = field.replace(/^\//, '').split('/');
  if (where !== 'body' || rest.length === 0) return undefined;
  return rest.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

/**
 * Splits a problem over a form: messages for the fields the form has (`known`, or a parent of one, e.g. `variants.0`
 * for `variants.0.prices`), and the rest (the detail, and field errors the form has no place for) for the form.
 */
export function splitProblem(
  p: unknown,
  known: (name: string) => boolean,
): { fields: Record<string, string>; form: string | undefined } {
  const fields: Record<string, string> = {};
  const leftover: string[] = [];
  const list = isProblem(p) ? (p.errors ?? []) : [];
  for (const e of list) {
    const path = fieldPath(e.field);
    if (path && known(path)) {
      fields[path] = fields[path] ? `${fields[path]}; ${e.message}` : e.message;
    } else {
      leftover.push(path ? `${path}: ${e.message}` : e.message);
    }
  }
  const detail = problemMessage(p);
  const form = list.length === 0 ? detail : leftover.length ? `${detail} (${leftover.join('; ')})` : undefined;
  return { fields, form };
}
