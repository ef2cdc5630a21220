// Small accessible building blocks: labelled fields whose error is announced and tied to the input, alerts for
// problems from the API, a confirmation dialog on the native <dialog> (focus trap, Escape, inert page for free).
import { type ReactNode, useId, useRef, useState } from 'react';

export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (a11y: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        'aria-invalid': Boolean(props.error),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {props.hint ? (
        <span id={hintId} className="hint">
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span id={errorId} className="field-error">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}

/** A problem from the API next to the action it concerns. */
export function ProblemNote({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="problem">
      {message}
    </p>
  );
}

export function Done({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p role="status" className="done">
      {message}
    </p>
  );
}

/** A button that asks before doing something that cannot be undone. */
export function ConfirmButton(props: {
  label: string;
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={props.disabled}
        onClick={() => {
          setOpen(true);
          ref.current?.showModal();
        }}
      >
        {props.label}
      </button>
      <dialog ref={ref} aria-labelledby={titleId} onClose={() => setOpen(false)}>
        {open ? (
          <form method="dialog">
            <h2 id={titleId}>{props.title}</h2>
            <p>{props.body}</p>
            <div className="actions">
              <button type="submit" value="cancel">
                Keep it
              </button>
              <button type="submit" value="confirm" className="danger" onClick={props.onConfirm}>
                {props.confirmLabel}
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </>
  );
}

export function Page(props: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby="page-title" className="page">
      <header className="page-header">
        <h1 id="page-title">{props.title}</h1>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function NoAccess() {
  return (
    <Page title="Not available">
      <p>Your role does not include this section. Ask an administrator for access.</p>
    </Page>
  );
}
