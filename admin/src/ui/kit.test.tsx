// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { Field, ProblemNote } from './kit.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
let container: HTMLDivElement;
afterEach(() => container?.remove());

function render(node: React.ReactNode): HTMLDivElement {
  container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(node));
  return container;
}

describe('labelled fields and problems [REQ-ADM-011]', () => {
  it('[REQ-ADM-011] a field error is announced on its input: aria-invalid and aria-describedby name the message', () => {
    const el = render(
      <Field label="Slug" hint="Lowercase words" error="must match pattern">
        {(a) => <input {...a} />}
      </Field>,
    );
    const input = el.querySelector('input');
    const label = el.querySelector('label');
    expect(label?.htmlFor).toBe(input?.id);
    expect(input?.getAttribute('aria-invalid')).toBe('true');
    const described = (input?.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => el.querySelector(`[id="${id}"]`)?.textContent);
    expect(described).toEqual(['Lowercase words', 'must match pattern']);
  });

  it('[REQ-ADM-011] a field without error is not invalid; a problem is an alert, none renders nothing', () => {
    const el = render(
      <>
        <Field label="Name">{(a) => <input {...a} />}</Field>
        <ProblemNote message="Reload and retry." />
        <ProblemNote message={undefined} />
      </>,
    );
    expect(el.querySelector('input')?.getAttribute('aria-invalid')).toBe('false');
    expect(el.querySelector('input')?.hasAttribute('aria-describedby')).toBe(false);
    expect([...el.querySelectorAll('[role="alert"]')].map((n) => n.textContent)).toEqual(['Reload and retry.']);
  });
});
