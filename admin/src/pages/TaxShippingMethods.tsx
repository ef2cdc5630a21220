// Shipping methods: list, create, edit (the same form, filled from the row) and delete after a confirmation.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { toMajorInput } from '../lib/money.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { describeShipping, type ShippingInput, shippingBody } from '../lib/tax-shipping.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { ConfirmButton, Done, Field, ProblemNote } from '../ui/kit.tsx';

interface Method {
  id: string;
  name: string;
  countries: string[];
  currency: string;
  kind: string;
  price: number;
  perKg: number;
  freeAbove: number | null;
}
const blank: ShippingInput = {
  name: '',
  countries: '',
  currency: 'EUR',
  kind: 'flat',
  price: '',
  perKg: '',
  freeAbove: '',
};
const FIELDS = ['name', 'countries', 'currency', 'kind', 'price', 'perKg', 'freeAbove'];

export function ShippingMethods() {
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Method>();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const list = useQuery({
    queryKey: ['shipping-methods'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/shipping-methods');
      if (!data) throw error;
      return data.items;
    },
  });
  const form = useForm<ShippingInput>({ defaultValues: blank });
  const kind = form.watch('kind');

  const remove = async (m: Method) => {
    setProblem(undefined);
    setDone(undefined);
    const { error, response } = await api.DELETE('/v1/admin/shipping-methods/{id}', {
      params: { path: { id: m.id } },
    });
    if (!response.ok) return setProblem(problemMessage(error));
    if (editing?.id === m.id) {
      setEditing(undefined);
      form.reset(blank);
    }
    await qc.invalidateQueries({ queryKey: ['shipping-methods'] });
    setDone(`Shipping method ${m.name} deleted.`);
  };
  const edit = (m: Method) => {
    setDone(undefined);
    setProblem(undefined);
    setEditing(m);
    form.reset({
      name: m.name,
      countries: m.countries.join(', '),
      currency: m.currency,
      kind: m.kind === 'weight' ? 'weight' : 'flat',
      price: toMajorInput(m.price, m.currency),
      perKg: toMajorInput(m.perKg, m.currency),
      freeAbove: m.freeAbove === null ? '' : toMajorInput(m.freeAbove, m.currency),
    });
    form.setFocus('name');
  };

  const col = createColumnHelper<Method>();
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.accessor('countries', { header: 'Countries', cell: (c) => c.getValue().join(', ') }),
    col.display({ id: 'price', header: 'Price', cell: (c) => describeShipping(c.row.original) }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <div className="actions">
          <button type="button" aria-label={`Edit ${c.row.original.name}`} onClick={() => edit(c.row.original)}>
            Edit
          </button>
          <ConfirmButton
            label={`Delete ${c.row.original.name}`}
            title={`Delete ${c.row.original.name}?`}
            body="Carts are no longer offered it; a cart that chose it must pick another method before checkout."
            confirmLabel="Delete"
            onConfirm={() => remove(c.row.original)}
          />
        </div>
      ),
    }),
  ];

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const made = shippingBody(v);
    if ('errors' in made) {
      for (const [n, message] of Object.entries(made.errors)) form.setError(n as FieldPath<ShippingInput>, { message });
      return;
    }
    const { data, error } = editing
      ? await api.PATCH('/v1/admin/shipping-methods/{id}', { params: { path: { id: editing.id } }, body: made.body })
      : await api.POST('/v1/admin/shipping-methods', { body: made.body });
    if (!data) {
      const { fields, form: rest } = splitProblem(error, (n) => FIELDS.includes(n) || n.startsWith('countries'));
      for (const [n, message] of Object.entries(fields)) {
        form.setError((n.startsWith('countries') ? 'countries' : n) as FieldPath<ShippingInput>, { message });
      }
      return setProblem(rest);
    }
    setEditing(undefined);
    form.reset(blank);
    await qc.invalidateQueries({ queryKey: ['shipping-methods'] });
    setDone(`Shipping method ${data.name} ${editing ? 'saved' : 'created'}.`);
  });

  const e = form.formState.errors;
  const money = (name: 'price' | 'perKg' | 'freeAbove', label: string, hint?: string) => (
    <Field label={label} error={e[name]?.message} {...(hint ? { hint } : {})}>
      {(a) => <input {...a} inputMode="decimal" {...form.register(name)} />}
    </Field>
  );
  return (
    <section aria-labelledby="shipping-title" className="stack">
      <h2 id="shipping-title">Shipping methods</h2>
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable caption="Shipping methods" data={list.data} columns={columns} empty="No shipping methods yet." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="shipping-form-title">
        <h3 id="shipping-form-title">{editing ? `Edit ${editing.name}` : 'New shipping method'}</h3>
        <div className="row">
          <Field label="Method name" error={e.name?.message}>
            {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
          </Field>
          <Field label="Countries" hint="Two-letter codes, e.g. DE, AT" error={e.countries?.message}>
            {(a) => <input {...a} {...form.register('countries', { required: 'Enter at least one country.' })} />}
          </Field>
          <Field label="Currency" error={e.currency?.message}>
            {(a) => <input {...a} maxLength={3} className="short" {...form.register('currency')} />}
          </Field>
          <Field label="Pricing" error={e.kind?.message}>
            {(a) => (
              <select {...a} {...form.register('kind')}>
                <option value="flat">Flat price</option>
                <option value="weight">By weight</option>
              </select>
            )}
          </Field>
          {money('price', kind === 'weight' ? 'Base price' : 'Price')}
          {kind === 'weight' ? money('perKg', 'Price per kg') : null}
          {money('freeAbove', 'Free above', 'Empty: never free')}
        </div>
        <ProblemNote message={problem} />
        <Done message={done} />
        <div className="actions">
          <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
            {editing ? 'Save shipping method' : 'Create shipping method'}
          </button>
          {editing ? (
            <button
              type="button"
              onClick={() => {
                setEditing(undefined);
                form.reset(blank);
              }}
            >
              Cancel editing
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
