// Orders: newest first, filtered by status and by the day they were placed (both by the API).
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { dayRange } from '../lib/gaps.ts';
import { formatMoney, type Money } from '../lib/money.ts';
import { ORDER_STATUSES } from '../lib/orders.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { NoAccess, Page, ProblemNote } from '../ui/kit.tsx';

interface Row {
  id: string;
  number: string;
  status: string;
  email: string | null;
  total: Money;
  createdAt: string;
}
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('number', {
    header: 'Order',
    cell: (c) => (
      <Link to="/orders/$orderId" params={{ orderId: c.row.original.id }}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('createdAt', { header: 'Placed', cell: (c) => new Date(c.getValue()).toLocaleString() }),
  col.accessor('status', { header: 'Status' }),
  col.accessor('email', { header: 'Customer', cell: (c) => c.getValue() ?? '(erased)' }),
  col.accessor('total', { header: 'Total', cell: (c) => formatMoney(c.getValue()) }),
];

export function Orders() {
  const can = useCan();
  const [status, setStatus] = useState('');
  const [day, setDay] = useState('');
  const [cursor, setCursor] = useState<string>();
  const list = useQuery({
    queryKey: ['orders', status, day, cursor],
    enabled: can('orders:read'),
    queryFn: async () => {
      const query = {
        limit: 100,
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
        ...(dayRange(day) ?? {}),
      };
      const { data, error } = await api.GET('/v1/orders', { params: { query } });
      if (!data) throw error;
      return data;
    },
  });
  if (!can('orders:read')) return <NoAccess />;
  const rows: Row[] = (list.data?.items ?? []).map((o) => ({
    id: o.id,
    number: o.number,
    status: o.status,
    email: o.email,
    total: o.totals.total,
    createdAt: o.createdAt,
  }));
  return (
    <Page title="Orders">
      <form className="inline" onSubmit={(e) => e.preventDefault()} aria-label="Filter orders">
        <label htmlFor="order-status">Status</label>
        <select
          id="order-status"
          value={status}
          onChange={(e) => {
            setCursor(undefined);
            setStatus(e.target.value);
          }}
        >
          <option value="">Any</option>
          {ORDER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
        <label htmlFor="order-day">Placed on</label>
        <input
          id="order-day"
          type="date"
          value={day}
          onChange={(e) => {
            setCursor(undefined);
            setDay(e.target.value);
          }}
        />
      </form>
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable caption="Orders, newest first" data={rows} columns={columns} empty="No orders match." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {list.data?.nextCursor ? (
        <button type="button" onClick={() => setCursor(list.data?.nextCursor ?? undefined)}>
          Older orders
        </button>
      ) : null}
    </Page>
  );
}
