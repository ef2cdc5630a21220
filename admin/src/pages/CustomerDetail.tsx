// One customer: the profile, the customer's orders, the GDPR export of the account (what the customer's own export
// holds) and erasure of the account (confirmed; its progress from the erasure record, then the profile shows as erased).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { type Account, erasureProgress, shownEmail } from '../lib/customers.ts';
import { formatMoney } from '../lib/money.ts';
import { problemMessage } from '../lib/problem.ts';
import { ConfirmButton, Done, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { AccountExportButton } from './CustomersPrivacy.tsx';

/** One account as staff see it; null when there is none. */
async function findAccount(userId: string): Promise<Account | null> {
  const { data, error, response } = await api.GET('/v1/admin/users/{id}', { params: { path: { id: userId } } });
  if (response.status === 404) return null;
  if (!data) throw error;
  return data;
}

export function CustomerDetail() {
  const { userId } = useParams({ from: '/shell/customers/$userId' });
  const can = useCan();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [progress, setProgress] = useState<string>();
  const account = useQuery({
    queryKey: ['account', userId],
    enabled: can('users:manage'),
    queryFn: () => findAccount(userId),
  });
  const orders = useQuery({
    queryKey: ['customer-orders', userId],
    enabled: can('orders:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/orders', { params: { query: { userId, limit: 100 } } });
      if (!data) throw error;
      return data.items;
    },
  });
  if (!can('users:manage')) return <NoAccess />;
  const a = account.data;
  if (account.isError) return <ProblemNote message={problemMessage(account.error)} />;
  if (!a) {
    return a === null ? (
      <Page title="Customer">
        <p>No account {userId}.</p>
      </Page>
    ) : (
      <p aria-busy="true">Loading…</p>
    );
  }
  const erased = a.status === 'erased';

  const erase = async () => {
    setProblem(undefined);
    setProgress(undefined);
    const { error, response } = await api.DELETE('/v1/admin/users/{id}', { params: { path: { id: userId } } });
    if (!response.ok) return setProblem(problemMessage(error));
    // The erasure ran with the request; its record tells how far it got (the resume job finishes a pending one).
    const records = await api.GET('/v1/admin/privacy/erasures', { params: { query: { limit: 100 } } });
    const record = records.data?.items.find((e) => e.userId === userId);
    setProgress(record ? erasureProgress(record) : 'Erased.');
    await qc.invalidateQueries({ queryKey: ['account', userId] });
    await qc.invalidateQueries({ queryKey: ['accounts'] });
    await qc.invalidateQueries({ queryKey: ['customer-orders', userId] });
  };

  return (
    <Page title={erased ? 'Customer (erased)' : (a.name ?? a.email)}>
      <p>
        <Link to="/customers">All customers</Link>
      </p>
      <section aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <dl className="totals">
          <dt>Email</dt>
          <dd>{shownEmail(a)}</dd>
          <dt>Name</dt>
          <dd>{erased ? '(erased)' : (a.name ?? '—')}</dd>
          <dt>Status</dt>
          <dd>{a.status}</dd>
          <dt>Email verified</dt>
          <dd>{a.emailVerified ? 'Yes' : 'No'}</dd>
          <dt>Joined</dt>
          <dd>{new Date(a.createdAt).toLocaleString()}</dd>
          <dt>Account id</dt>
          <dd>{a.id}</dd>
        </dl>
      </section>
      <section aria-labelledby="addresses-title">
        <h2 id="addresses-title">Addresses</h2>
        <p className="hint">
          The API shows an account's saved addresses only to the customer; the addresses of each order are on the
          order's page.
        </p>
      </section>
      <section aria-labelledby="orders-title">
        <h2 id="orders-title">Orders</h2>
        <ProblemNote message={orders.isError ? problemMessage(orders.error) : undefined} />
        {!can('orders:read') ? (
          <p>Your role does not include orders.</p>
        ) : orders.data ? (
          orders.data.length ? (
            <ul>
              {orders.data.map((o) => (
                <li key={o.id}>
                  <Link to="/orders/$orderId" params={{ orderId: o.id }}>
                    Order {o.number}
                  </Link>{' '}
                  — {o.status}, {formatMoney(o.totals.total)}, {new Date(o.createdAt).toLocaleDateString()}
                </li>
              ))}
            </ul>
          ) : (
            <p>No orders.</p>
          )
        ) : (
          <p aria-busy="true">Loading…</p>
        )}
      </section>
      <section aria-labelledby="gdpr-title" className="stack">
        <h2 id="gdpr-title">Personal data (GDPR)</h2>
        {erased ? (
          <p>This account's personal data has been erased.</p>
        ) : (
          <>
            {can('privacy:manage') ? (
              <>
                <p className="hint">
                  The export is the document the customer gets from their own account: profile, addresses, sessions,
                  orders, carts, payments and messages. Each export is written to the account's audit log.
                </p>
                <AccountExportButton userId={a.id} email={a.email} />
              </>
            ) : null}
            <ConfirmButton
              label="Erase this customer"
              title={`Erase ${a.email}?`}
              body="The account is closed and its name, email, phone, addresses and sessions are erased for good, with its personal data in orders, carts and events. Orders stay for the legal retention without it."
              confirmLabel="Erase for good"
              onConfirm={erase}
            />
          </>
        )}
        <ProblemNote message={problem} />
        <Done message={progress} />
      </section>
    </Page>
  );
}
