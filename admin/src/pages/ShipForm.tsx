// Ship an order's remaining units with a carrier and tracking number (POST /v1/admin/orders/{id}/shipments).
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api, newIdempotencyKey } from '../api/client.ts';
import { splitProblem } from '../lib/problem.ts';
import { Done, Field, ProblemNote } from '../ui/kit.tsx';

interface Ship {
  carrier: string;
  trackingNumber: string;
}

export function ShipForm(props: { orderId: string; onShipped: () => unknown }) {
  const form = useForm<Ship>({ defaultValues: { carrier: '', trackingNumber: '' } });
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const { data, error } = await api.POST('/v1/admin/orders/{id}/shipments', {
      params: { path: { id: props.orderId }, header: { 'idempotency-key': newIdempotencyKey() } },
      body: { carrier: v.carrier.trim(), trackingNumber: v.trackingNumber.trim() },
    });
    if (!data) {
      const { fields, form: rest } = splitProblem(error, (n) => n === 'carrier' || n === 'trackingNumber');
      for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<Ship>, { message });
      setProblem(rest);
      return;
    }
    setDone(`Shipped with ${data.carrier ?? ''} ${data.trackingNumber ?? ''}; the order is ${data.orderStatus}.`);
    form.reset();
    await props.onShipped();
  });
  return (
    <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="ship-title">
      <h3 id="ship-title">Ship the remaining units</h3>
      <div className="row">
        <Field label="Carrier" error={form.formState.errors.carrier?.message}>
          {(a) => <input {...a} {...form.register('carrier', { required: 'Enter the carrier.' })} />}
        </Field>
        <Field label="Tracking number" error={form.formState.errors.trackingNumber?.message}>
          {(a) => <input {...a} {...form.register('trackingNumber', { required: 'Enter the tracking number.' })} />}
        </Field>
      </div>
      <ProblemNote message={problem} />
      <Done message={done} />
      <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
        Ship
      </button>
    </form>
  );
}
