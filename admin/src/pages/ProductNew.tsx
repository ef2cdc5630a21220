// New product: details, then any number of variants, each priced in any number of currencies.
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { type FieldPath, useFieldArray, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { splitProblem } from '../lib/problem.ts';
import { Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { VariantFields } from '../ui/VariantFields.tsx';
import { createBody, emptyVariant, type ProductValues } from './product-form.ts';

/** The fields this form shows an error next to (the API's `variants.0.attributes` shows at the option). */
export const PRODUCT_FIELDS =
  /^(name|slug|description|status|variants\.\d+\.(sku|attributes|prices\.\d+\.(currency|amount)))$/;

export function ProductNew() {
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const form = useForm<ProductValues>({
    defaultValues: { name: '', slug: '', status: 'published', description: '', variants: [emptyVariant()] },
  });
  const { register, control, handleSubmit, setError, formState } = form;
  const variants = useFieldArray({ control, name: 'variants' });
  if (!can('catalog:write')) return <NoAccess />;

  const onSubmit = handleSubmit(async (values) => {
    setProblem(undefined);
    const { body, invalid } = createBody(values);
    for (const [name, message] of Object.entries(invalid)) setError(name as FieldPath<ProductValues>, { message });
    if (Object.keys(invalid).length) return;
    const { data, error } = await api.POST('/v1/products', { body });
    if (!data) {
      const { fields, form: rest } = splitProblem(error, (n) => PRODUCT_FIELDS.test(n));
      for (const [name, message] of Object.entries(fields)) {
        setError(name.replace(/\.attributes$/, '.option') as FieldPath<ProductValues>, { message });
      }
      setProblem(rest);
      return;
    }
    await qc.invalidateQueries({ queryKey: ['products'] });
    await navigate({ to: '/products/$productId', params: { productId: data.id } });
  });

  return (
    <Page title="New product">
      <form onSubmit={onSubmit} noValidate className="stack">
        <div className="row">
          <Field label="Name" error={formState.errors.name?.message}>
            {(a) => <input {...a} {...register('name', { required: 'Enter a name.' })} />}
          </Field>
          <Field
            label="Slug"
            hint="Lowercase words joined by dashes; empty: made from the name"
            error={formState.errors.slug?.message}
          >
            {(a) => <input {...a} {...register('slug')} />}
          </Field>
          <Field label="Status" error={formState.errors.status?.message}>
            {(a) => (
              <select {...a} {...register('status')}>
                <option value="published">Published</option>
                <option value="draft">Draft</option>
              </select>
            )}
          </Field>
        </div>
        <Field label="Description" error={formState.errors.description?.message}>
          {(a) => <textarea rows={3} {...a} {...register('description')} />}
        </Field>
        {variants.fields.map((f, i) => (
          <VariantFields
            key={f.id}
            index={i}
            control={control}
            register={register}
            errors={formState.errors}
            onRemove={variants.fields.length > 1 ? () => variants.remove(i) : undefined}
          />
        ))}
        <div className="actions">
          <button type="button" onClick={() => variants.append(emptyVariant())}>
            Add a variant
          </button>
        </div>
        <ProblemNote message={problem} />
        <button type="submit" className="primary" disabled={formState.isSubmitting}>
          Create product
        </button>
      </form>
    </Page>
  );
}
