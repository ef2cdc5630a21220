// Variants of an existing product: add one (SKU, option, prices per currency) and remove one after a confirmation.
// Both send the product's version as If-Match, so a change made meanwhile by someone else is refused (412), not
// overwritten. Orders keep what they were sold (their lines are snapshots), so removing a variant changes no order.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { ConfirmButton, Done, Field, ProblemNote } from '../ui/kit.tsx';
import { emptyVariant, type VariantValues, variantBody } from './product-form.ts';

type Product = paths['/v1/admin/products/{id}']['get']['responses'][200]['content']['application/json'];

export function RemoveVariant(props: {
  product: Product;
  variant: { id: string; sku: string };
  onDone: (message: string | undefined, problem: string | undefined) => void;
}) {
  const qc = useQueryClient();
  const { product, variant } = props;
  return (
    <ConfirmButton
      label={`Remove ${variant.sku}`}
      title={`Remove the variant ${variant.sku}?`}
      body="It leaves the product and the storefront at once. Orders that sold it keep their lines."
      confirmLabel="Remove variant"
      onConfirm={async () => {
        props.onDone(undefined, undefined);
        const { data, error } = await api.DELETE('/v1/products/{id}/variants/{variantId}', {
          params: { path: { id: product.id, variantId: variant.id }, header: { 'if-match': `"${product.version}"` } },
        });
        if (!data) return props.onDone(undefined, problemMessage(error));
        qc.setQueryData(['product', product.id], data);
        void qc.invalidateQueries({ queryKey: ['products'] });
        props.onDone(`Variant ${variant.sku} removed.`, undefined);
      }}
    />
  );
}

export function AddVariant({ product }: { product: Product }) {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const form = useForm<VariantValues>({ defaultValues: emptyVariant() });
  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const { body, invalid } = variantBody(v, 'x');
    for (const [n, message] of Object.entries(invalid)) {
      form.setError(n.replace(/^x\./, '') as FieldPath<VariantValues>, { message });
    }
    if (Object.keys(invalid).length) return;
    const { data, error } = await api.POST('/v1/products/{id}/variants', {
      params: { path: { id: product.id }, header: { 'if-match': `"${product.version}"` } },
      body,
    });
    if (!data) {
      const { fields, form: rest } = splitProblem(
        error,
        (n) => n === 'sku' || /^prices\.\d+\.(currency|amount)$/.test(n),
      );
      for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<VariantValues>, { message });
      return setProblem(rest);
    }
    qc.setQueryData(['product', product.id], data);
    void qc.invalidateQueries({ queryKey: ['products'] });
    form.reset(emptyVariant());
    setDone(`Variant ${body.sku} added.`);
  });
  const e = form.formState.errors;
  return (
    <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="add-variant-title">
      <h2 id="add-variant-title">Add a variant</h2>
      <div className="row">
        <Field label="New variant SKU" error={e.sku?.message}>
          {(a) => <input {...a} {...form.register('sku', { required: 'Enter a SKU.' })} />}
        </Field>
        <Field label="New variant option" hint="For example Size: XL" error={e.option?.message}>
          {(a) => <input {...a} {...form.register('option')} />}
        </Field>
      </div>
      {[0, 1].map((i) => (
        <div className="row" key={i}>
          <Field label={`New variant currency ${i + 1}`} error={e.prices?.[i]?.currency?.message}>
            {(a) => <input {...a} maxLength={3} className="short" {...form.register(`prices.${i}.currency`)} />}
          </Field>
          <Field label={`New variant price ${i + 1}`} error={e.prices?.[i]?.amount?.message}>
            {(a) => <input {...a} inputMode="decimal" {...form.register(`prices.${i}.amount`)} />}
          </Field>
        </div>
      ))}
      <ProblemNote message={problem} />
      <Done message={done} />
      <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
        Add variant
      </button>
    </form>
  );
}
