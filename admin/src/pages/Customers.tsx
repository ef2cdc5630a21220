// Customers: the accounts without a staff role, searched by email or name among the accounts loaded (the API lists
// accounts in pages), and a complete email looked up exactly by the API; each links to its page. Guest data (GDPR)
// below, for privacy:manage.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { type Account, looksLikeEmail, searchCustomers, shownEmail, withExactMatch } from '../lib/customers.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { GuestPrivacy } from './CustomersPrivacy.tsx';

const col = createColumnHelper<Account>();
const columns = [
  col.accessor('email', {
    header: 'Email',
    cell: (c) => (
      <Link to="/customers/$userId" params={{ userId: c.row.original.id }}>
        {shownEmail(c.row.original)}
      </Link>
    ),
  }),
  col.accessor('name', { header: 'Name', cell: (c) => c.getValue() ?? '' }),
  col.accessor('status', { header: 'Status' }),
  col.accessor('emailVerified', { header: 'Email verified', cell: (c) => (c.getValue() ? 'Yes' : 'No') }),
  col.accessor('createdAt', { header: 'Joined', cell: (c) => new Date(c.getValue()).toLocaleDateString() }),
];

/** Every account, page by page (100 at a time), as the API lists them. */
export function useAccounts(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: ['accounts'],
    enabled,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
    queryFn: async ({ pageParam }) => {
      const query = { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) };
      const { data, error } = await api.GET('/v1/admin/users', { params: { query } });
      if (!data) throw error;
      return data;
    },
  });
}

export function Customers() {
  const can = useCan();
  const [search, setSearch] = useState('');
  const accounts = useAccounts(can('users:manage'));
  const email = search.trim();
  const exact = useQuery({
    queryKey: ['account-by-email', email],
    enabled: can('users:manage') && looksLikeEmail(email),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/users', { params: { query: { email } } });
      if (!data) throw error;
      return data.items[0] ?? null;
    },
  });
  if (!can('users:manage')) return <NoAccess />;
  const loaded = accounts.data?.pages.flatMap((p) => p.items) ?? [];
  const total = accounts.data?.pages[0]?.total ?? 0;
  const rows = withExactMatch(
    searchCustomers(loaded, search),
    looksLikeEmail(email) ? (exact.data ?? undefined) : undefined,
  );
  return (
    <Page title="Customers">
      <form className="inline" onSubmit={(e) => e.preventDefault()} aria-label="Search customers">
        <label htmlFor="customer-search">Email or name</label>
        <input id="customer-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </form>
      <ProblemNote message={accounts.isError ? problemMessage(accounts.error) : undefined} />
      {accounts.data ? (
        <>
          <DataTable caption="Customer accounts" data={rows} columns={columns} empty="No customer matches." />
          <p className="hint">
            Searched {loaded.length} of {total} accounts.
          </p>
        </>
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {accounts.hasNextPage ? (
        <button type="button" disabled={accounts.isFetchingNextPage} onClick={() => accounts.fetchNextPage()}>
          Load more accounts
        </button>
      ) : null}
      {can('privacy:manage') ? <GuestPrivacy /> : null}
    </Page>
  );
}
