// One product (staff view, any status): edit its details, categories and images, see its variants and prices, add
// and remove variants (ProductVariants), archive it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { formatMoney } from '../lib/money.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { ConfirmButton, Done, Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { ProductExtras } from './ProductExtras.tsx';
import { AddVariant, RemoveVariant } from './ProductVariants.tsx';
import { attributesOption } from './product-form.ts';
import { VariantPrices } from './VariantPrices.tsx';

interface Details {
  name: string;
  description: string;
  status: 'draft' | 'published' | 'archived';
}

export function ProductEdit() {
  const { productId } = useParams({ from: '/shell/products/$productId' });
  const can = useCan();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const product = useQuery({
    queryKey: ['product', productId],
    enabled: can('catalog:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/products/{id}', { params: { path: { id: productId } } });
      if (!data) throw error;
      return data;
    },
  });
  const form = useForm<Details>();
  useEffect(() => {
    if (product.data) {
      const { name, description, status } = product.data;
      form.reset({ name, description, status });
    }
  }, [product.data, form]);

  const save = useMutation({
    mutationFn: async (values: Details) => {
      const version = product.data?.version ?? 0;
      return api.PATCH('/v1/products/{id}', {
        params: { path: { id: productId }, header: { 'if-match': `"${version}"` } },
        body: values,
      });
    },
    onSuccess: ({ data, error }) => {
      if (!data) {
        const { fields, form: rest } = splitProblem(error, (n) => ['name', 'description', 'status'].includes(n));
        for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<Details>, { message });
        setProblem(rest);
        return;
      }
      qc.setQueryData(['product', productId], data);
      void qc.invalidateQueries({ queryKey: ['products'] });
      setDone('Saved.');
    },
  });
  const archive = useMutation({
    mutationFn: async () =>
      api.DELETE('/v1/products/{id}', {
        params: { path: { id: productId }, header: { 'if-match': `"${product.data?.version ?? 0}"` } },
      }),
    onSuccess: ({ data, error }) => {
      if (!data) return setProblem(problemMessage(error));
      qc.setQueryData(['product', productId], data);
      void qc.invalidateQueries({ queryKey: ['products'] });
      setDone('Archived: the product has left the storefront.');
    },
  });

  if (!can('catalog:read')) return <NoAccess />;
  if (product.isError) return <ProblemNote message={problemMessage(product.error)} />;
  const p = product.data;
  if (!p) return <p aria-busy="true">Loading…</p>;
  const writable = can('catalog:write');
  const editable = writable && p.status !== 'archived';
  return (
    <Page
      title={p.name}
      actions={
        writable && p.status !== 'archived' ? (
          <ConfirmButton
            label="Archive"
            title={`Archive ${p.name}?`}
            body="It leaves the storefront; orders keep referring to it."
            confirmLabel="Archive product"
            onConfirm={() => {
              setProblem(undefined);
              setDone(undefined);
              archive.mutate();
            }}
          />
        ) : null
      }
    >
      <p>
        Status: <strong data-testid="product-status">{p.status}</strong> · slug {p.slug} · version {p.version}
      </p>
      <form
        className="stack"
        noValidate
        onSubmit={form.handleSubmit((v) => {
          setProblem(undefined);
          setDone(undefined);
          save.mutate(v);
        })}
      >
        <fieldset disabled={!writable}>
          <legend>Details</legend>
          <div className="row">
            <Field label="Name" error={form.formState.errors.name?.message}>
              {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
            </Field>
            <Field label="Status" error={form.formState.errors.status?.message}>
              {(a) => (
                <select {...a} {...form.register('status')}>
                  <option value="published">Published</option>
                  <option value="draft">Draft</option>
                  <option value="archived">Archived</option>
                </select>
              )}
            </Field>
          </div>
          <Field label="Description" error={form.formState.errors.description?.message}>
            {(a) => <textarea rows={3} {...a} {...form.register('description')} />}
          </Field>
          {writable ? (
            <button type="submit" className="primary">
              Save changes
            </button>
          ) : null}
        </fieldset>
      </form>
      <ProblemNote message={problem} />
      <Done message={done} />
      <div className="table-wrap">
        <table>
          <caption>Variants</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Option</th>
              <th scope="col">Prices</th>
              <th scope="col">Stock</th>
              {editable ? <th scope="col">Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {p.variants.map((v) => (
              <tr key={v.id}>
                <td>{v.sku}</td>
                <td>{attributesOption(v.attributes) || '—'}</td>
                <td>{v.prices.map((pr) => formatMoney(pr)).join(' · ') || '—'}</td>
                <td>
                  {can('inventory:read') ? (
                    <Link to="/inventory" search={{ variant: v.id }} aria-label={`Stock of ${v.sku}`}>
                      Stock
                    </Link>
                  ) : (
                    '—'
                  )}
                </td>
                {editable ? (
                  <td>
                    <RemoveVariant
                      product={p}
                      variant={v}
                      onDone={(message, failed) => {
                        setDone(message);
                        setProblem(failed);
                      }}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editable ? <VariantPrices key={p.variants.map((v) => v.id).join(' ')} product={p} /> : null}
      {editable ? <AddVariant key={`add-variant-${p.id}`} product={p} /> : null}
      {writable ? <ProductExtras key={p.id} product={p} /> : null}
    </Page>
  );
}
