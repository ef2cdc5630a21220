// Change a variant's prices (PATCH …/variants/{variantId}: `prices` replaces them all), one row per currency.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { type FieldPath, useFieldArray, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import { toMajorInput } from '../lib/money.ts';
import { splitProblem } from '../lib/problem.ts';
import { Done, Field, ProblemNote } from '../ui/kit.tsx';
import { type PriceValues, variantBody } from './product-form.ts';

type Product = paths['/v1/admin/products/{id}']['get']['responses'][200]['content']['application/json'];
interface Values {
  variantId: string;
  prices: PriceValues[];
}

const pricesOf = (p: Product, variantId: string): PriceValues[] =>
  (p.variants.find((v) => v.id === variantId)?.prices ?? []).map((x) => ({
    currency: x.currency,
    amount: toMajorInput(x.amount, x.currency),
  }));

export function VariantPrices({ product }: { product: Product }) {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const first = product.variants[0]?.id ?? '';
  const form = useForm<Values>({ defaultValues: { variantId: first, prices: pricesOf(product, first) } });
  const prices = useFieldArray({ control: form.control, name: 'prices' });
  const variantId = form.watch('variantId');
  useEffect(() => {
    form.setValue('prices', pricesOf(product, variantId));
  }, [variantId, product, form]);

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const { body, invalid } = variantBody({ sku: '', option: '', prices: v.prices }, 'x');
    for (const [n, message] of Object.entries(invalid)) {
      form.setError(n.replace(/^x\./, '') as FieldPath<Values>, { message });
    }
    if (Object.keys(invalid).length) return;
    const { data, error } = await api.PATCH('/v1/products/{id}/variants/{variantId}', {
      params: { path: { id: product.id, variantId: v.variantId }, header: { 'if-match': `"${product.version}"` } },
      body: { prices: body.prices ?? [] },
    });
    if (!data) {
      const { fields, form: rest } = splitProblem(error, (n) => /^prices\.\d+\.(currency|amount)$/.test(n));
      for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<Values>, { message });
      return setProblem(rest);
    }
    qc.setQueryData(['product', product.id], data);
    setDone('Prices saved.');
  });

  if (!first) return null;
  const e = form.formState.errors;
  return (
    <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="prices-title">
      <h2 id="prices-title">Change a variant's prices</h2>
      <Field label="Variant">
        {(a) => (
          <select {...a} {...form.register('variantId')}>
            {product.variants.map((v) => (
              <option key={v.id} value={v.id}>
                {v.sku}
              </option>
            ))}
          </select>
        )}
      </Field>
      {prices.fields.map((f, i) => (
        <div className="row" key={f.id}>
          <Field label={`Currency ${i + 1}`} error={e.prices?.[i]?.currency?.message}>
            {(a) => <input {...a} maxLength={3} className="short" {...form.register(`prices.${i}.currency`)} />}
          </Field>
          <Field label={`Amount ${i + 1}`} error={e.prices?.[i]?.amount?.message}>
            {(a) => <input {...a} inputMode="decimal" {...form.register(`prices.${i}.amount`)} />}
          </Field>
          <button type="button" onClick={() => prices.remove(i)} aria-label={`Remove price ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <div className="actions">
        <button type="button" onClick={() => prices.append({ currency: '', amount: '' })}>
          Add a currency
        </button>
      </div>
      <ProblemNote message={problem} />
      <Done message={done} />
      <button type="submit" className="primary">
        Save prices
      </button>
    </form>
  );
}
