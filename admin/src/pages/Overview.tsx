// Overview: today's orders and revenue (per currency, placed today as the API filters them), low stock, and the
// dead letters waiting for a retry.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../api/client.ts';
import { useCan, useStaff } from '../auth/use-session.ts';
import { dayRange } from '../lib/gaps.ts';
import { formatMoney, sumByCurrency } from '../lib/money.ts';
import { today } from '../lib/orders.ts';
import { problemMessage } from '../lib/problem.ts';
import { Page, ProblemNote } from '../ui/kit.tsx';

export function Overview() {
  const can = useCan();
  const user = useStaff();
  const day = today();
  const orders = useQuery({
    queryKey: ['overview', 'orders', day],
    enabled: can('orders:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/orders', { params: { query: { limit: 100, ...dayRange(day) } } });
      if (!data) throw error;
      const todays = data.items.filter((o) => o.status !== 'cancelled');
      return {
        count: todays.length,
        revenue: sumByCurrency(todays.map((o) => o.totals.total)),
        more: Boolean(data.nextCursor),
      };
    },
  });
  const low = useQuery({
    queryKey: ['overview', 'low-stock'],
    enabled: can('inventory:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/inventory/low-stock', { params: { query: { limit: 20 } } });
      if (!data) throw error;
      return data;
    },
  });
  const dead = useQuery({
    queryKey: ['overview', 'dead-letters'],
    enabled: can('events:manage'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/events/dead-letters', { params: { query: { limit: 100 } } });
      if (!data) throw error;
      return data.items;
    },
  });
  return (
    <Page title="Overview">
      <p>Signed in as {user?.name ?? user?.email}.</p>
      <div className="cards">
        {can('orders:read') ? (
          <section className="card" aria-labelledby="today-title">
            <h2 id="today-title">Today</h2>
            <ProblemNote message={orders.isError ? problemMessage(orders.error) : undefined} />
            {orders.data ? (
              <>
                <p>
                  <strong data-testid="orders-today">{orders.data.count}</strong> order
                  {orders.data.count === 1 ? '' : 's'}
                  {orders.data.more ? ' (of the first 100 today)' : ''}
                </p>
                <p>
                  Revenue:{' '}
                  <strong data-testid="revenue-today">
                    {orders.data.revenue.length ? orders.data.revenue.map((m) => formatMoney(m)).join(' · ') : '—'}
                  </strong>
                </p>
                <Link to="/orders">All orders</Link>
              </>
            ) : (
              <p aria-busy="true">Loading…</p>
            )}
          </section>
        ) : null}
        {can('inventory:read') ? (
          <section className="card" aria-labelledby="low-title">
            <h2 id="low-title">Low stock</h2>
            <ProblemNote message={low.isError ? problemMessage(low.error) : undefined} />
            {low.data ? (
              low.data.items.length === 0 ? (
                <p>No variant is at or below its low-stock threshold.</p>
              ) : (
                <ul aria-label="Low stock">
                  {low.data.items.map((v) => (
                    <li key={v.variantId}>
                      <Link to="/inventory" search={{ variant: v.variantId }}>
                        {v.variantId}
                      </Link>
                      : {v.available} available (threshold {v.threshold})
                    </li>
                  ))}
                  {low.data.nextCursor ? <li>… and more</li> : null}
                </ul>
              )
            ) : (
              <p aria-busy="true">Loading…</p>
            )}
          </section>
        ) : null}
        {can('events:manage') ? (
          <section className="card" aria-labelledby="dead-title">
            <h2 id="dead-title">Dead letters</h2>
            <ProblemNote message={dead.isError ? problemMessage(dead.error) : undefined} />
            {dead.data ? (
              dead.data.length === 0 ? (
                <p>None: every event reached its subscribers.</p>
              ) : (
                <ul>
                  {dead.data.slice(0, 10).map((d) => (
                    <li key={d.id}>
                      {d.eventType} → {d.subscriber}: {d.lastError}
                    </li>
                  ))}
                </ul>
              )
            ) : (
              <p aria-busy="true">Loading…</p>
            )}
          </section>
        ) : null}
      </div>
    </Page>
  );
}
