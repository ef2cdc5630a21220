// Coupons: promotions with codes, their rule and how often they were used; create one.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { type CouponKind, couponValue, describeRule, usage } from '../lib/coupons.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Done, Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';

interface Row {
  id: string;
  name: string;
  codes: string[];
  rule: string;
  usage: string;
  active: boolean;
}
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('name', { header: 'Name' }),
  col.accessor('codes', { header: 'Codes', cell: (c) => c.getValue().join(', ') }),
  col.accessor('rule', { header: 'Discount' }),
  col.accessor('usage', { header: 'Usage' }),
  col.accessor('active', { header: 'Active', cell: (c) => (c.getValue() ? 'Yes' : 'Paused') }),
];

interface CouponForm {
  name: string;
  code: string;
  kind: CouponKind;
  value: string;
  currency: string;
  usageLimit: string;
}

export function Coupons() {
  const can = useCan();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const list = useQuery({
    queryKey: ['coupons'],
    enabled: can('pricing:write'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/promotions');
      if (!data) throw error;
      return data.items.filter((p) => p.codes.length > 0);
    },
  });
  const form = useForm<CouponForm>({
    defaultValues: { name: '', code: '', kind: 'percentage', value: '', currency: 'EUR', usageLimit: '' },
  });
  if (!can('pricing:write')) return <NoAccess />;
  const kind = form.watch('kind');

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const value = couponValue(v.kind, v.value, v.currency);
    if (value === undefined) {
      form.setError('value', {
        message: v.kind === 'percentage' ? 'Enter a percentage from 0.01 to 100.' : 'Enter an amount.',
      });
      return;
    }
    const limit = v.usageLimit.trim() ? Number(v.usageLimit) : null;
    const { data, error } = await api.POST('/v1/admin/promotions', {
      body: {
        name: v.name.trim(),
        kind: v.kind,
        codes: [v.code.trim()],
        value,
        ...(v.kind === 'fixed' ? { currency: v.currency.trim().toUpperCase() } : {}),
        usageLimit: limit,
      },
    });
    if (!data) {
      const known = ['name', 'kind', 'value', 'currency', 'usageLimit'];
      const { fields, form: rest } = splitProblem(error, (n) => known.includes(n) || n.startsWith('codes'));
      for (const [n, message] of Object.entries(fields)) {
        form.setError((n.startsWith('codes') ? 'code' : n) as FieldPath<CouponForm>, { message });
      }
      setProblem(rest);
      return;
    }
    setDone(`Coupon ${data.codes.join(', ')} created.`);
    form.reset();
    await qc.invalidateQueries({ queryKey: ['coupons'] });
  });

  const rows: Row[] = (list.data ?? []).map((p) => ({
    id: p.id,
    name: p.name,
    codes: p.codes,
    rule: describeRule(p),
    usage: usage(p),
    active: p.active,
  }));
  const e = form.formState.errors;
  return (
    <Page title="Coupons">
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable caption="Coupons and their usage" data={rows} columns={columns} empty="No coupons yet." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="coupon-title">
        <h2 id="coupon-title">New coupon</h2>
        <div className="row">
          <Field label="Name" error={e.name?.message}>
            {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
          </Field>
          <Field label="Code" hint="2–64 letters, digits, - or _" error={e.code?.message}>
            {(a) => <input {...a} {...form.register('code', { required: 'Enter a code.' })} />}
          </Field>
          <Field label="Discount type" error={e.kind?.message}>
            {(a) => (
              <select {...a} {...form.register('kind')}>
                <option value="percentage">Percentage</option>
                <option value="fixed">Fixed amount</option>
                <option value="free_shipping">Free shipping</option>
              </select>
            )}
          </Field>
          {kind !== 'free_shipping' ? (
            <Field label={kind === 'percentage' ? 'Percent off' : 'Amount off'} error={e.value?.message}>
              {(a) => <input {...a} inputMode="decimal" {...form.register('value', { required: 'Enter a value.' })} />}
            </Field>
          ) : null}
          {kind === 'fixed' ? (
            <Field label="Currency" error={e.currency?.message}>
              {(a) => <input {...a} maxLength={3} className="short" {...form.register('currency')} />}
            </Field>
          ) : null}
          <Field label="Usage limit" hint="Empty: unlimited" error={e.usageLimit?.message}>
            {(a) => (
              <input
                {...a}
                inputMode="numeric"
                {...form.register('usageLimit', { pattern: { value: /^\d*$/, message: 'Enter a whole number.' } })}
              />
            )}
          </Field>
        </div>
        <ProblemNote message={problem} />
        <Done message={done} />
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Create coupon
        </button>
      </form>
    </Page>
  );
}
