// Tax rates and shipping methods. A tax rate is set per country, province and tax category (setting one again
// replaces it) and deleted with a confirmation; shipping methods are created, edited and deleted (retired).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { formatRate, rateToBp } from '../lib/tax-shipping.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { ConfirmButton, Done, Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { ShippingMethods } from './TaxShippingMethods.tsx';

interface TaxRate {
  id: string;
  country: string;
  province: string;
  taxCategory: string;
  rateBp: number;
  pricesIncludeTax: boolean;
}
interface TaxForm {
  country: string;
  province: string;
  taxCategory: string;
  rate: string;
  pricesIncludeTax: boolean;
}
const blank: TaxForm = { country: '', province: '', taxCategory: 'standard', rate: '', pricesIncludeTax: false };

export function TaxShipping() {
  const can = useCan();
  if (!can('pricing:write')) return <NoAccess />;
  return (
    <Page title="Tax and shipping">
      <TaxRates />
      <ShippingMethods />
    </Page>
  );
}

function TaxRates() {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const list = useQuery({
    queryKey: ['tax-rates'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/tax-rates');
      if (!data) throw error;
      return data.items;
    },
  });
  const form = useForm<TaxForm>({ defaultValues: blank });
  const col = createColumnHelper<TaxRate>();
  const columns = [
    col.accessor('country', { header: 'Country' }),
    col.accessor('province', { header: 'Province', cell: (c) => c.getValue() || 'All' }),
    col.accessor('taxCategory', { header: 'Tax category' }),
    col.accessor('rateBp', { header: 'Rate', cell: (c) => formatRate(c.getValue()) }),
    col.accessor('pricesIncludeTax', { header: 'Prices include tax', cell: (c) => (c.getValue() ? 'Yes' : 'No') }),
    col.display({
      id: 'edit',
      header: 'Action',
      cell: (c) => {
        const r = c.row.original;
        const where = [r.country, r.province, r.taxCategory].filter(Boolean).join(' ');
        return (
          <div className="actions">
            <button
              type="button"
              aria-label={`Edit the rate of ${where}`}
              onClick={() => {
                setDone(undefined);
                form.reset({
                  country: r.country,
                  province: r.province,
                  taxCategory: r.taxCategory,
                  rate: String(r.rateBp / 100),
                  pricesIncludeTax: r.pricesIncludeTax,
                });
                form.setFocus('rate');
              }}
            >
              Edit
            </button>
            <ConfirmButton
              // Not "Delete the rate of …": the rows are found by their text, and "rate" would match a country "AT".
              label={`Delete ${where}`}
              title={`Delete the ${formatRate(r.rateBp)} rate of ${where}?`}
              body="Orders already placed keep the tax they were charged. Carts of this region and category are taxed at the region's standard rate from now on (none when there is no standard rate). Setting the rate again restores it."
              confirmLabel="Delete rate"
              onConfirm={() => remove(r, where)}
            />
          </div>
        );
      },
    }),
  ];
  const remove = async (r: TaxRate, where: string) => {
    setProblem(undefined);
    setDone(undefined);
    const { response, error } = await api.DELETE('/v1/admin/tax-rates/{id}', { params: { path: { id: r.id } } });
    if (!response.ok) return setProblem(problemMessage(error));
    await qc.invalidateQueries({ queryKey: ['tax-rates'] });
    setDone(`The tax rate of ${where} was deleted.`);
  };

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const rateBp = rateToBp(v.rate);
    if (rateBp === undefined) return form.setError('rate', { message: 'Enter a percentage from 0 to 100.' });
    const { data, error } = await api.PUT('/v1/admin/tax-rates', {
      body: {
        country: v.country.trim().toUpperCase(),
        ...(v.province.trim() ? { province: v.province.trim() } : {}),
        ...(v.taxCategory.trim() ? { taxCategory: v.taxCategory.trim() } : {}),
        rateBp,
        pricesIncludeTax: v.pricesIncludeTax,
      },
    });
    if (!data) {
      const known = ['country', 'province', 'taxCategory', 'rateBp', 'pricesIncludeTax'];
      const { fields, form: rest } = splitProblem(error, (n) => known.includes(n));
      for (const [n, message] of Object.entries(fields)) {
        form.setError((n === 'rateBp' ? 'rate' : n) as FieldPath<TaxForm>, { message });
      }
      return setProblem(rest);
    }
    setDone(`Tax rate for ${data.country} ${data.province} ${data.taxCategory} set to ${formatRate(data.rateBp)}.`);
    form.reset(blank);
    await qc.invalidateQueries({ queryKey: ['tax-rates'] });
  });

  const e = form.formState.errors;
  return (
    <section aria-labelledby="tax-title" className="stack">
      <h2 id="tax-title">Tax rates</h2>
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable caption="Tax rates" data={list.data} columns={columns} empty="No tax rates yet." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="tax-form-title">
        <h3 id="tax-form-title">Set a tax rate</h3>
        <p className="hint">Setting the rate of a country, province and category that has one replaces it.</p>
        <div className="row">
          <Field label="Country" hint="Two letters, e.g. DE" error={e.country?.message}>
            {(a) => (
              <input
                {...a}
                maxLength={2}
                className="short"
                {...form.register('country', {
                  required: 'Enter a country code.',
                  pattern: { value: /^[A-Za-z]{2}$/, message: 'Enter a two-letter country code.' },
                })}
              />
            )}
          </Field>
          <Field label="Province" hint="Empty: the whole country" error={e.province?.message}>
            {(a) => <input {...a} {...form.register('province')} />}
          </Field>
          <Field label="Tax category" error={e.taxCategory?.message}>
            {(a) => <input {...a} {...form.register('taxCategory')} />}
          </Field>
          <Field label="Rate (%)" error={e.rate?.message}>
            {(a) => <input {...a} inputMode="decimal" {...form.register('rate', { required: 'Enter a rate.' })} />}
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" {...form.register('pricesIncludeTax')} /> Prices include tax
        </label>
        <ProblemNote message={problem} />
        <Done message={done} />
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Save tax rate
        </button>
      </form>
    </section>
  );
}
