// Overview: today's orders and revenue (per currency), and the dead letters waiting for a retry.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../api/client.ts';
import { useCan, useStaff } from '../auth/use-session.ts';
import { formatMoney, sumByCurrency } from '../lib/money.ts';
import { onDay, today } from '../lib/orders.ts';
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
      const { data, error } = await api.GET('/v1/orders', { params: { query: { limit: 100 } } });
      if (!data) throw error;
      const todays = data.items.filter((o) => onDay(o.createdAt, day) && o.status !== 'cancelled');
      return {
        count: todays.length,
        revenue: sumByCurrency(todays.map((o) => o.totals.total)),
        more: Boolean(data.nextCursor),
      };
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
                  {orders.data.more ? ' (of the latest 100)' : ''}
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
