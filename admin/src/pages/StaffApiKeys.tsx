// API keys: list (never the keys), create one with the permissions it may use (only ones the creator holds; the
// key is shown once, with a copy button), revoke one after a confirmation.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useStaff } from '../auth/use-session.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { grantable, keyState } from '../lib/staff.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { ConfirmButton, Done, Field, ProblemNote } from '../ui/kit.tsx';

interface Key {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
interface KeyForm {
  name: string;
  permissions: string[];
}
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** The new key, shown once: selectable text and a button that copies it. */
function NewKey({ name, secret }: { name: string; secret: string }) {
  const id = useId();
  const [copied, setCopied] = useState<string>();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Key {name} created</h3>
      <p>Copy it now: it is shown only once and cannot be read again.</p>
      <label htmlFor={id}>New API key</label>
      <input id={id} readOnly value={secret} onFocus={(e) => e.target.select()} />
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(secret);
            setCopied('Copied to the clipboard.');
          } catch {
            setCopied('The browser refused the clipboard: select the key and copy it.');
          }
        }}
      >
        Copy key
      </button>
      <Done message={copied} />
    </section>
  );
}

export function ApiKeys() {
  const me = useStaff();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [created, setCreated] = useState<{ name: string; key: string }>();
  const list = useQuery({
    queryKey: ['api-keys'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/api-keys');
      if (!data) throw error;
      return data.items;
    },
  });
  const form = useForm<KeyForm>({ defaultValues: { name: '', permissions: [] } });
  const offered = grantable(me?.permissions ?? []);

  const revoke = async (k: Key) => {
    setProblem(undefined);
    setDone(undefined);
    const { error, response } = await api.DELETE('/v1/admin/api-keys/{id}', { params: { path: { id: k.id } } });
    if (!response.ok) return setProblem(problemMessage(error));
    await qc.invalidateQueries({ queryKey: ['api-keys'] });
    setDone(`Key ${k.name} revoked.`);
  };
  const col = createColumnHelper<Key>();
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.accessor('prefix', { header: 'Starts with', cell: (c) => <code>{c.getValue()}…</code> }),
    col.accessor('permissions', { header: 'Permissions', cell: (c) => c.getValue().join(', ') }),
    col.accessor('createdAt', { header: 'Created', cell: (c) => when(c.getValue()) }),
    col.accessor('lastUsedAt', { header: 'Last used', cell: (c) => when(c.getValue()) }),
    col.display({
      id: 'state',
      header: 'State',
      cell: (c) =>
        keyState(c.row.original) === 'revoked' ? (
          `Revoked ${when(c.row.original.revokedAt)}`
        ) : (
          <ConfirmButton
            label={`Revoke ${c.row.original.name}`}
            title={`Revoke the key ${c.row.original.name}?`}
            body="Every call made with it is refused from now on. This cannot be undone."
            confirmLabel="Revoke"
            onConfirm={() => revoke(c.row.original)}
          />
        ),
    }),
  ];

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    setCreated(undefined);
    if (v.permissions.length === 0) return form.setError('permissions', { message: 'Choose at least one permission.' });
    const { data, error } = await api.POST('/v1/admin/api-keys', {
      body: { name: v.name.trim(), permissions: v.permissions },
    });
    if (!data) {
      const { fields, form: rest } = splitProblem(error, (n) => n === 'name' || n.startsWith('permissions'));
      for (const [n, message] of Object.entries(fields)) {
        form.setError(n === 'name' ? 'name' : 'permissions', { message });
      }
      return setProblem(rest);
    }
    setCreated({ name: data.name, key: data.key });
    form.reset();
    await qc.invalidateQueries({ queryKey: ['api-keys'] });
  });
  const e = form.formState.errors;
  return (
    <section aria-labelledby="keys-title" className="stack">
      <h2 id="keys-title">API keys</h2>
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable caption="API keys" data={list.data} columns={columns} empty="No API keys yet." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      <ProblemNote message={problem} />
      <Done message={done} />
      {created ? <NewKey name={created.name} secret={created.key} /> : null}
      <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="key-form-title">
        <h3 id="key-form-title">Create an API key</h3>
        <Field label="Key name" hint="What uses it, e.g. ERP sync" error={e.name?.message}>
          {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
        </Field>
        <fieldset aria-describedby={e.permissions ? 'key-permissions-error' : undefined}>
          <legend>Permissions (only ones you hold)</legend>
          {offered.map((p) => (
            <label key={p} className="check">
              <input type="checkbox" value={p} {...form.register('permissions')} /> {p}
            </label>
          ))}
          {e.permissions ? (
            <span id="key-permissions-error" className="field-error">
              {e.permissions.message}
            </span>
          ) : null}
        </fieldset>
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Create API key
        </button>
      </form>
    </section>
  );
}
