// A variant's stock movements (the ledger), newest first, in all warehouses or one, paged by the API's cursor.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api/client.ts';
import { movementChange } from '../lib/gaps.ts';
import { problemMessage } from '../lib/problem.ts';
import { ProblemNote } from '../ui/kit.tsx';

export function InventoryMovements(props: { variantId: string; warehouses: readonly { id: string; name: string }[] }) {
  const { variantId } = props;
  const filterId = useId();
  const [warehouseId, setWarehouseId] = useState('');
  const moves = useInfiniteQuery({
    queryKey: ['movements', variantId, warehouseId],
    initialPageParam: '',
    queryFn: async ({ pageParam }) => {
      const query = { limit: 20, ...(warehouseId ? { warehouseId } : {}), ...(pageParam ? { cursor: pageParam } : {}) };
      const { data, error } = await api.GET('/v1/admin/inventory/{variantId}/movements', {
        params: { path: { variantId }, query },
      });
      if (!data) throw error;
      return data;
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const name = (id: string) => props.warehouses.find((w) => w.id === id)?.name ?? id;
  const rows = moves.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby={`${filterId}-title`}>
      <h2 id={`${filterId}-title`}>Movement history</h2>
      <form className="inline" onSubmit={(e) => e.preventDefault()} aria-label="Filter movements">
        <label htmlFor={filterId}>History of warehouse</label>
        <select id={filterId} value={warehouseId} onChange={(e) => setWarehouseId(e.target.value)}>
          <option value="">All warehouses</option>
          {props.warehouses.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </form>
      <ProblemNote message={moves.isError ? problemMessage(moves.error) : undefined} />
      <div className="table-wrap">
        <table>
          <caption>Stock movements of variant {variantId}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Warehouse</th>
              <th scope="col">Kind</th>
              <th scope="col">Change</th>
              <th scope="col">Reason</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={6}>{moves.isLoading ? 'Loading…' : 'No movements recorded.'}</td>
              </tr>
            ) : (
              rows.map((m) => (
                <tr key={m.id}>
                  <td>{new Date(m.createdAt).toLocaleString()}</td>
                  <td>{name(m.warehouseId)}</td>
                  <td>{m.kind}</td>
                  <td>{movementChange(m)}</td>
                  <td>{m.reason}</td>
                  <td>{m.actor.split(':')[0]}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {moves.hasNextPage ? (
        <button type="button" disabled={moves.isFetchingNextPage} onClick={() => void moves.fetchNextPage()}>
          Older movements
        </button>
      ) : null}
    </section>
  );
}
