// Inventory: a variant's stock in every warehouse, stock movements (receive, adjust, damage, count) against it, and
// its movement history.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { Done, Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { InventoryMovements } from './InventoryMovements.tsx';

interface Movement {
  warehouseId: string;
  kind: 'receive' | 'adjust' | 'damage' | 'count';
  quantity: string;
  reason: string;
}
interface NewWarehouse {
  name: string;
  country: string;
}

export function Inventory() {
  const can = useCan();
  const search = useSearch({ from: '/shell/inventory' });
  const navigate = useNavigate();
  const variantId = search.variant ?? '';
  const [lookup, setLookup] = useState(variantId);
  if (!can('inventory:read')) return <NoAccess />;
  return (
    <Page title="Inventory">
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate({ to: '/inventory', search: lookup.trim() ? { variant: lookup.trim() } : {} });
        }}
      >
        <label htmlFor="variant-id">Variant id</label>
        <input id="variant-id" value={lookup} onChange={(e) => setLookup(e.target.value)} />
        <button type="submit">Show stock</button>
      </form>
      <p className="hint">Open a variant from its product's “Stock” link, or paste its id.</p>
      {variantId ? <VariantStock key={variantId} variantId={variantId} /> : null}
      {can('inventory:write') ? <WarehouseForm /> : null}
    </Page>
  );
}

function useWarehouses() {
  return useQuery({
    queryKey: ['warehouses'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/warehouses');
      if (!data) throw error;
      return data.items;
    },
  });
}

function VariantStock({ variantId }: { variantId: string }) {
  const can = useCan();
  const qc = useQueryClient();
  const warehouses = useWarehouses();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const levels = useQuery({
    queryKey: ['stock', variantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/inventory/{variantId}', { params: { path: { variantId } } });
      if (!data) throw error;
      return data.levels;
    },
  });
  const form = useForm<Movement>({ defaultValues: { kind: 'receive', quantity: '', reason: '', warehouseId: '' } });
  const move = useMutation({
    mutationFn: async (m: Movement) =>
      api.POST('/v1/admin/inventory/adjustments', {
        body: { variantId, warehouseId: m.warehouseId, kind: m.kind, quantity: Number(m.quantity), reason: m.reason },
      }),
    onSuccess: ({ data, error }) => {
      if (!data) {
        const { fields, form: rest } = splitProblem(error, (n) =>
          ['warehouseId', 'kind', 'quantity', 'reason'].includes(n),
        );
        for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<Movement>, { message });
        return setProblem(rest);
      }
      setDone(`Recorded: ${data.onHand} on hand, ${data.available} available.`);
      form.reset({ ...form.getValues(), quantity: '', reason: '' });
      void qc.invalidateQueries({ queryKey: ['stock', variantId] });
      void qc.invalidateQueries({ queryKey: ['movements', variantId] });
    },
  });
  const name = (id: string) => warehouses.data?.find((w) => w.id === id)?.name ?? id;
  const errors = form.formState.errors;
  return (
    <>
      <ProblemNote message={levels.isError ? problemMessage(levels.error) : undefined} />
      <div className="table-wrap">
        <table>
          <caption>Stock of variant {variantId}</caption>
          <thead>
            <tr>
              <th scope="col">Warehouse</th>
              <th scope="col">On hand</th>
              <th scope="col">Reserved</th>
              <th scope="col">Available</th>
            </tr>
          </thead>
          <tbody>
            {(levels.data ?? []).length === 0 ? (
              <tr>
                <td colSpan={4}>{levels.isLoading ? 'Loading…' : 'No stock recorded in any warehouse.'}</td>
              </tr>
            ) : (
              (levels.data ?? []).map((l) => (
                <tr key={l.warehouseId}>
                  <td>{name(l.warehouseId)}</td>
                  <td>{l.onHand}</td>
                  <td>{l.reserved}</td>
                  <td>{l.available}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {can('inventory:write') ? (
        <form
          className="stack"
          noValidate
          onSubmit={form.handleSubmit((m) => {
            setProblem(undefined);
            setDone(undefined);
            move.mutate(m);
          })}
        >
          <h2>Record a stock movement</h2>
          <div className="row">
            <Field label="Warehouse" error={errors.warehouseId?.message}>
              {(a) => (
                <select {...a} {...form.register('warehouseId', { required: 'Choose a warehouse.' })}>
                  <option value="">Choose…</option>
                  {(warehouses.data ?? []).map((w) => (
                    <option key={w.id} value={w.id}>
                      {w.name} ({w.country})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Kind" error={errors.kind?.message}>
              {(a) => (
                <select {...a} {...form.register('kind')}>
                  <option value="receive">Receive (goods in)</option>
                  <option value="adjust">Adjust (+/−)</option>
                  <option value="damage">Damage (units out)</option>
                  <option value="count">Count (set on hand)</option>
                </select>
              )}
            </Field>
            <Field label="Quantity" error={errors.quantity?.message}>
              {(a) => (
                <input
                  {...a}
                  inputMode="numeric"
                  {...form.register('quantity', {
                    required: 'Enter a quantity.',
                    pattern: { value: /^-?\d+$/, message: 'Enter a whole number.' },
                  })}
                />
              )}
            </Field>
            <Field label="Reason" error={errors.reason?.message}>
              {(a) => <input {...a} {...form.register('reason', { required: 'Say why.' })} />}
            </Field>
          </div>
          <ProblemNote message={problem} />
          <Done message={done} />
          <button type="submit" className="primary">
            Record movement
          </button>
        </form>
      ) : null}
      <InventoryMovements variantId={variantId} warehouses={warehouses.data ?? []} />
    </>
  );
}

function WarehouseForm() {
  const qc = useQueryClient();
  const warehouses = useWarehouses();
  const [problem, setProblem] = useState<string>();
  const form = useForm<NewWarehouse>({ defaultValues: { name: '', country: '' } });
  const create = useMutation({
    mutationFn: async (w: NewWarehouse) =>
      api.POST('/v1/admin/warehouses', { body: { name: w.name, country: w.country.toUpperCase() } }),
    onSuccess: ({ data, error }) => {
      if (!data) {
        const { fields, form: rest } = splitProblem(error, (n) => n === 'name' || n === 'country');
        for (const [n, message] of Object.entries(fields)) form.setError(n as FieldPath<NewWarehouse>, { message });
        return setProblem(rest);
      }
      form.reset();
      void qc.invalidateQueries({ queryKey: ['warehouses'] });
    },
  });
  return (
    <form
      className="stack"
      noValidate
      onSubmit={form.handleSubmit((w) => {
        setProblem(undefined);
        create.mutate(w);
      })}
    >
      <h2>Warehouses</h2>
      <ul>
        {(warehouses.data ?? []).map((w) => (
          <li key={w.id}>
            {w.name} ({w.country}){w.active ? '' : ' — inactive'}
          </li>
        ))}
      </ul>
      <div className="row">
        <Field label="Warehouse name" error={form.formState.errors.name?.message}>
          {(a) => <input {...a} {...form.register('name', { required: 'Enter a name.' })} />}
        </Field>
        <Field label="Country" hint="Two letters, e.g. DE" error={form.formState.errors.country?.message}>
          {(a) => (
            <input
              {...a}
              maxLength={2}
              className="short"
              {...form.register('country', { required: 'Enter a country.' })}
            />
          )}
        </Field>
      </div>
      <ProblemNote message={problem} />
      <button type="submit">Add warehouse</button>
    </form>
  );
}
