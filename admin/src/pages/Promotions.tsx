// Automatic promotions (applied to every cart they match, no code) and campaigns (a redemption limit shared by
// their promotions): the list with state, window and usage; create a campaign; create a promotion, optionally in a
// campaign, of any kind: percentage, fixed amount, free shipping, buy X get Y (on some products or all), or a bundle
// price; edit, pause or end one (PromotionEdit); the campaigns with their usage (Campaigns).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { type CouponKind, couponValue, usage } from '../lib/coupons.ts';
import { toMinor } from '../lib/money.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { describePromotion, describeWindow, fromLocalInput, limitInput, promotionState } from '../lib/promotions.ts';
import { idList, parseBundleItems, quantityInput } from '../lib/staff-gaps.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Done, Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { Campaigns } from './Campaigns.tsx';
import { CampaignForm, PromotionEdit } from './PromotionEdit.tsx';

export type Promotion = NonNullable<Awaited<ReturnType<typeof listPromotions>>>[number];
async function listPromotions() {
  const { data, error } = await api.GET('/v1/admin/promotions');
  if (!data) throw error;
  return data.items.filter((p) => p.automatic);
}
const fmt = (iso: string) => new Date(iso).toLocaleString();

type Kind = CouponKind | 'buy_x_get_y' | 'bundle';
interface PromotionForm {
  name: string;
  kind: Kind;
  value: string;
  currency: string;
  buyQuantity: string;
  getQuantity: string;
  productIds: string;
  bundleItems: string;
  startsAt: string;
  endsAt: string;
  usageLimit: string;
  campaignId: string;
}

export function Promotions() {
  const can = useCan();
  const qc = useQueryClient();
  const allowed = can('pricing:write');
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [editing, setEditing] = useState<string>();
  const list = useQuery({ queryKey: ['promotions'], enabled: allowed, queryFn: listPromotions });
  const form = useForm<PromotionForm>({
    defaultValues: {
      name: '',
      kind: 'percentage',
      value: '',
      currency: 'EUR',
      buyQuantity: '',
      getQuantity: '',
      productIds: '',
      bundleItems: '',
      startsAt: '',
      endsAt: '',
      usageLimit: '',
      campaignId: '',
    },
  });
  if (!allowed) return <NoAccess />;
  const kind = form.watch('kind');

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const currency = v.currency.trim().toUpperCase();
    const value =
      v.kind === 'buy_x_get_y'
        ? 0
        : v.kind === 'bundle'
          ? toMinor(v.value, currency)
          : couponValue(v.kind, v.value, currency);
    const buyQuantity = quantityInput(v.buyQuantity);
    const getQuantity = quantityInput(v.getQuantity);
    const bundle = parseBundleItems(v.bundleItems);
    let rule: Record<string, unknown> = {};
    if (v.kind === 'buy_x_get_y') {
      if (buyQuantity === undefined) form.setError('buyQuantity', { message: 'Enter a whole number from 1 to 999.' });
      if (getQuantity === undefined) form.setError('getQuantity', { message: 'Enter a whole number from 1 to 999.' });
      if (buyQuantity === undefined || getQuantity === undefined) return;
      rule = { buyQuantity, getQuantity, productIds: idList(v.productIds) };
    }
    if (v.kind === 'bundle') {
      if ('problem' in bundle) return form.setError('bundleItems', { message: bundle.problem });
      rule = { currency, bundleItems: bundle.items };
    }
    const startsAt = fromLocalInput(v.startsAt);
    const endsAt = fromLocalInput(v.endsAt);
    const usageLimit = limitInput(v.usageLimit);
    if (value === undefined)
      form.setError('value', {
        message: v.kind === 'percentage' ? 'Enter a percentage from 0.01 to 100.' : `Enter an amount in ${currency}.`,
      });
    if (startsAt === undefined) form.setError('startsAt', { message: 'Enter a date and time.' });
    if (endsAt === undefined) form.setError('endsAt', { message: 'Enter a date and time.' });
    if (usageLimit === undefined) form.setError('usageLimit', { message: 'Enter a whole number.' });
    if (value === undefined || startsAt === undefined || endsAt === undefined || usageLimit === undefined) return;
    const { data, error } = await api.POST('/v1/admin/promotions', {
      body: {
        name: v.name.trim(),
        kind: v.kind,
        automatic: true,
        value,
        ...(v.kind === 'fixed' ? { currency } : {}),
        ...rule,
        startsAt,
        endsAt,
        usageLimit,
        ...(v.campaignId.trim() ? { campaignId: v.campaignId.trim() } : {}),
      },
    });
    if (!data) {
      const known = ['name', 'kind', 'value', 'currency', 'startsAt', 'endsAt', 'usageLimit', 'campaignId'];
      const more = ['buyQuantity', 'getQuantity', 'productIds', 'bundleItems'];
      const { fields, form: rest } = splitProblem(error, (n) => [...known, ...more].includes(n.split('.')[0] ?? n));
      for (const [n, message] of Object.entries(fields)) {
        form.setError((n.split('.')[0] ?? n) as FieldPath<PromotionForm>, { message });
      }
      setProblem(rest);
      return;
    }
    setDone(`Promotion ${data.name} created.`);
    form.reset();
    await qc.invalidateQueries({ queryKey: ['promotions'] });
    await qc.invalidateQueries({ queryKey: ['campaigns'] });
  });

  const now = new Date();
  const col = createColumnHelper<Promotion>();
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.display({ id: 'rule', header: 'Discount', cell: (c) => describePromotion(c.row.original) }),
    col.display({ id: 'window', header: 'When', cell: (c) => describeWindow(c.row.original, fmt) }),
    col.display({ id: 'state', header: 'State', cell: (c) => promotionState(c.row.original, now) }),
    col.display({ id: 'usage', header: 'Usage', cell: (c) => usage(c.row.original) }),
    col.accessor('campaignId', { header: 'Campaign', cell: (c) => c.getValue() ?? '—' }),
    col.display({
      id: 'edit',
      header: 'Action',
      cell: (c) => (
        <button
          type="button"
          aria-label={`Edit ${c.row.original.name}`}
          aria-expanded={editing === c.row.original.id}
          onClick={() => setEditing(editing === c.row.original.id ? undefined : c.row.original.id)}
        >
          Edit
        </button>
      ),
    }),
  ];
  const e = form.formState.errors;
  const chosen = list.data?.find((p) => p.id === editing);
  return (
    <Page title="Promotions">
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable
          caption="Automatic promotions and their usage"
          data={list.data}
          columns={columns}
          empty="No automatic promotions yet."
        />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {chosen ? (
        <PromotionEdit
          key={chosen.id}
          promotion={chosen}
          onDone={() => qc.invalidateQueries({ queryKey: ['promotions'] })}
        />
      ) : null}
      <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="promotion-title">
        <h2 id="promotion-title">New automatic promotion</h2>
        <div className="row">
          <Field label="Name" error={e.name?.message}>
            {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
          </Field>
          <Field label="Discount type" error={e.kind?.message}>
            {(a) => (
              <select {...a} {...form.register('kind')}>
                <option value="percentage">Percentage</option>
                <option value="fixed">Fixed amount</option>
                <option value="free_shipping">Free shipping</option>
                <option value="buy_x_get_y">Buy X, get Y free</option>
                <option value="bundle">Bundle price</option>
              </select>
            )}
          </Field>
          {kind !== 'free_shipping' && kind !== 'buy_x_get_y' ? (
            <Field
              label={kind === 'percentage' ? 'Percent off' : kind === 'bundle' ? 'Bundle price' : 'Amount off'}
              error={e.value?.message}
            >
              {(a) => <input {...a} inputMode="decimal" {...form.register('value', { required: 'Enter a value.' })} />}
            </Field>
          ) : null}
          {kind === 'fixed' || kind === 'bundle' ? (
            <Field label="Currency" error={e.currency?.message}>
              {(a) => <input {...a} maxLength={3} className="short" {...form.register('currency')} />}
            </Field>
          ) : null}
        </div>
        {kind === 'buy_x_get_y' ? (
          <div className="row">
            <Field label="Buy quantity" error={e.buyQuantity?.message}>
              {(a) => <input {...a} inputMode="numeric" className="short" {...form.register('buyQuantity')} />}
            </Field>
            <Field label="Free quantity" hint="The cheapest units are free" error={e.getQuantity?.message}>
              {(a) => <input {...a} inputMode="numeric" className="short" {...form.register('getQuantity')} />}
            </Field>
            <Field label="On products" hint="Product ids; empty: every product" error={e.productIds?.message}>
              {(a) => <input {...a} {...form.register('productIds')} />}
            </Field>
          </div>
        ) : null}
        {kind === 'bundle' ? (
          <Field
            label="Bundle items"
            hint="One per line: a product (prod_…) or variant (var_…) id, then × and a quantity"
            error={e.bundleItems?.message}
          >
            {(a) => <textarea {...a} rows={3} {...form.register('bundleItems')} />}
          </Field>
        ) : null}
        <div className="row">
          <Field label="Starts" hint="Empty: now" error={e.startsAt?.message}>
            {(a) => <input {...a} type="datetime-local" {...form.register('startsAt')} />}
          </Field>
          <Field label="Ends" hint="Empty: no end" error={e.endsAt?.message}>
            {(a) => <input {...a} type="datetime-local" {...form.register('endsAt')} />}
          </Field>
          <Field label="Usage limit" hint="Empty: unlimited" error={e.usageLimit?.message}>
            {(a) => <input {...a} inputMode="numeric" {...form.register('usageLimit')} />}
          </Field>
          <Field label="Campaign id" hint="Optional: shares the campaign's limit" error={e.campaignId?.message}>
            {(a) => <input {...a} {...form.register('campaignId')} />}
          </Field>
        </div>
        <ProblemNote message={problem} />
        <Done message={done} />
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Create promotion
        </button>
      </form>
      <CampaignForm
        onCreated={(id) => {
          form.setValue('campaignId', id);
          void qc.invalidateQueries({ queryKey: ['campaigns'] });
        }}
      />
      <Campaigns />
    </Page>
  );
}
