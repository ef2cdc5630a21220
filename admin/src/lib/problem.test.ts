import { describe, expect, it } from 'vitest';
import { fieldPath, problemMessage, splitProblem } from './problem.ts';

const validation = {
  type: 'https://emporium.dev/problems/request.validation_failed',
  title: 'Validation failed',
  status: 400,
  code: 'request.validation_failed',
  detail: 'body/slug must match pattern',
  errors: [
    { field: 'body/slug', message: 'must match pattern "^[a-z0-9]+(?:-[a-z0-9]+)*$"' },
    { field: 'body/variants/1/prices/0/amount', message: 'must be integer' },
    { field: 'body/metadata', message: 'must be object' },
    { field: 'query/limit', message: 'must be <= 100' },
  ],
};

describe('problem+json next to the field or action [REQ-ADM-011]', () => {
  it('[REQ-ADM-011] a validation field names its form field; errors outside the body name none', () => {
    expect(fieldPath('body/slug')).toBe('slug');
    expect(fieldPath('body/variants/1/prices/0/amount')).toBe('variants.1.prices.0.amount');
    expect(fieldPath('/body/a~1b')).toBe('a/b');
    expect(fieldPath('query/limit')).toBeUndefined();
    expect(fieldPath('body')).toBeUndefined();
  });

  it('[REQ-ADM-011] field errors go to the fields the form has; the rest, with the detail, to the form', () => {
    const known = (n: string) => n === 'slug' || /^variants\.\d+\.prices\.\d+\.amount$/.test(n);
    const r = splitProblem(validation, known);
    expect(r.fields).toEqual({
      slug: 'must match pattern "^[a-z0-9]+(?:-[a-z0-9]+)*$"',
      'variants.1.prices.0.amount': 'must be integer',
    });
    expect(r.form).toBe('body/slug must match pattern (metadata: must be object; must be <= 100)');
  });

  it('[REQ-ADM-011] every field placed: nothing left for the form; a problem without fields: its detail', () => {
    const one = { ...validation, errors: [{ field: 'body/slug', message: 'bad' }] };
    expect(splitProblem(one, () => true)).toEqual({ fields: { slug: 'bad' }, form: undefined });
    const conflict = { status: 409, code: 'catalog.version_conflict', title: 'Conflict', detail: 'Reload and retry.' };
    expect(splitProblem(conflict, () => true)).toEqual({ fields: {}, form: 'Reload and retry.' });
    expect(problemMessage({ title: 'Not found', status: 404 })).toBe('Not found');
    expect(problemMessage(new TypeError('Failed to fetch'), 'The server did not answer.')).toBe(
      'The server did not answer.',
    );
  });
});
