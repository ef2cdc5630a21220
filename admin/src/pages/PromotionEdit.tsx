// Change an automatic promotion (name, value, end, usage limit), pause or resume it, or end it now; and create a
// campaign (the API answers a campaign only when it is created: its id goes into the promotion form).
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { type CouponKind, couponValue } from '../lib/coupons.ts';
import { toMajorInput } from '../lib/money.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { fromLocalInput, limitInput, toLocalInput } from '../lib/promotions.ts';
import { ConfirmButton, Done, Field, ProblemNote } from '../ui/kit.tsx';
import type { Promotion } from './Promotions.tsx';

type PatchBody = NonNullable<paths['/v1/admin/promotions/{id}']['patch']['requestBody']>['content']['application/json'];

interface EditForm {
  name: string;
  value: string;
  endsAt: string;
  usageLimit: string;
}

function valueText(p: Promotion): string {
  if (p.kind === 'percentage') return String(p.value / 100);
  if (p.kind === 'fixed' && p.currency) return toMajorInput(p.value, p.currency);
  return '';
}

export function PromotionEdit(props: { promotion: Promotion; onDone: () => Promise<unknown> }) {
  const p = props.promotion;
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const editable = p.kind === 'percentage' || p.kind === 'fixed';
  const form = useForm<EditForm>({
    defaultValues: {
      name: p.name,
      value: valueText(p),
      endsAt: toLocalInput(p.endsAt),
      usageLimit: p.usageLimit === null ? '' : String(p.usageLimit),
    },
  });
  const patch = async (body: PatchBody, ok: string) => {
    const { data, error } = await api.PATCH('/v1/admin/promotions/{id}', { params: { path: { id: p.id } }, body });
    if (!data) {
      const { fields, form: rest } = splitProblem(error, (n) => ['name', 'value', 'endsAt', 'usageLimit'].includes(n));
      for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<EditForm>, { message });
      setDone(undefined);
      setProblem(rest ?? problemMessage(error));
      return;
    }
    setProblem(undefined);
    setDone(ok);
    await props.onDone();
  };
  const onSave = form.handleSubmit(async (v) => {
    const value = editable ? couponValue(p.kind as CouponKind, v.value, p.currency ?? 'EUR') : undefined;
    const endsAt = fromLocalInput(v.endsAt);
    const usageLimit = limitInput(v.usageLimit);
    if (editable && value === undefined) form.setError('value', { message: 'Enter a value.' });
    if (endsAt === undefined) form.setError('endsAt', { message: 'Enter a date and time.' });
    if (usageLimit === undefined) form.setError('usageLimit', { message: 'Enter a whole number.' });
    if ((editable && value === undefined) || endsAt === undefined || usageLimit === undefined) return;
    await patch(
      { name: v.name.trim(), endsAt, usageLimit, ...(value !== undefined ? { value } : {}) },
      `${v.name.trim()} saved.`,
    );
  });
  const e = form.formState.errors;
  return (
    <section className="stack card" aria-labelledby="edit-promotion-title">
      <h2 id="edit-promotion-title">Edit {p.name}</h2>
      <form className="stack" noValidate onSubmit={onSave} aria-labelledby="edit-promotion-title">
        <div className="row">
          <Field label="Name" error={e.name?.message}>
            {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
          </Field>
          {editable ? (
            <Field
              label={p.kind === 'percentage' ? 'Percent off' : `Amount off (${p.currency})`}
              error={e.value?.message}
            >
              {(a) => <input {...a} inputMode="decimal" {...form.register('value')} />}
            </Field>
          ) : null}
          <Field label="Ends" hint="Empty: no end" error={e.endsAt?.message}>
            {(a) => <input {...a} type="datetime-local" {...form.register('endsAt')} />}
          </Field>
          <Field label="Usage limit" hint="Empty: unlimited" error={e.usageLimit?.message}>
            {(a) => <input {...a} inputMode="numeric" {...form.register('usageLimit')} />}
          </Field>
        </div>
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Save promotion
        </button>
      </form>
      <ProblemNote message={problem} />
      <Done message={done} />
      <div className="inline">
        <button
          type="button"
          onClick={() => patch({ active: !p.active }, p.active ? `${p.name} paused.` : `${p.name} resumed.`)}
        >
          {p.active ? 'Pause' : 'Resume'}
        </button>
        <ConfirmButton
          label="End now"
          title={`End ${p.name} now?`}
          body="It stops applying to carts from now on; orders already placed keep their discount."
          confirmLabel="End it"
          onConfirm={() => patch({ endsAt: new Date().toISOString() }, `${p.name} ended.`)}
        />
      </div>
    </section>
  );
}

interface CampaignValues {
  name: string;
  usageLimit: string;
}

export function CampaignForm(props: { onCreated: (id: string) => void }) {
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const form = useForm<CampaignValues>({ defaultValues: { name: '', usageLimit: '' } });
  const onSubmit = form.handleSubmit(async (v) => {
    const usageLimit = limitInput(v.usageLimit);
    if (usageLimit === undefined) {
      form.setError('usageLimit', { message: 'Enter a whole number.' });
      return;
    }
    const { data, error } = await api.POST('/v1/admin/campaigns', { body: { name: v.name.trim(), usageLimit } });
    if (!data) {
      const { fields, form: rest } = splitProblem(error, (n) => n === 'name' || n === 'usageLimit');
      for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<CampaignValues>, { message });
      setDone(undefined);
      setProblem(rest);
      return;
    }
    setProblem(undefined);
    const limit = data.usageLimit === null ? 'no limit' : `a limit of ${data.usageLimit}`;
    setDone(`Campaign ${data.name} created (${data.id}, ${limit}); its id is in the promotion form.`);
    props.onCreated(data.id);
    form.reset();
  });
  const e = form.formState.errors;
  return (
    <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="campaign-title">
      <h2 id="campaign-title">New campaign</h2>
      <div className="row">
        <Field label="Campaign name" error={e.name?.message}>
          {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
        </Field>
        <Field
          label="Campaign usage limit"
          hint="Shared by its promotions; empty: unlimited"
          error={e.usageLimit?.message}
        >
          {(a) => <input {...a} inputMode="numeric" {...form.register('usageLimit')} />}
        </Field>
      </div>
      <ProblemNote message={problem} />
      <Done message={done} />
      <button type="submit" disabled={form.formState.isSubmitting}>
        Create campaign
      </button>
    </form>
  );
}
