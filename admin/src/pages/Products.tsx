// Products: the catalog's published products (GET /v1/products), or a full-text search (GET /v1/search).
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { formatMoney, type Money } from '../lib/money.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { NoAccess, Page, ProblemNote } from '../ui/kit.tsx';

interface Row {
  id: string;
  name: string;
  slug: string;
  brand: string | null;
  price: { min: Money; max: Money } | null;
}

const col = createColumnHelper<Row>();
const columns = [
  col.accessor('name', {
    header: 'Name',
    cell: (c) => (
      <Link to="/products/$productId" params={{ productId: c.row.original.id }}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('slug', { header: 'Slug' }),
  col.accessor('brand', { header: 'Brand', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('price', {
    header: 'Price',
    cell: (c) => {
      const p = c.getValue();
      if (!p) return '—';
      return p.min.amount === p.max.amount ? formatMoney(p.min) : `${formatMoney(p.min)} – ${formatMoney(p.max)}`;
    },
  }),
];

export function Products() {
  const can = useCan();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const list = useQuery({
    queryKey: ['products', q],
    enabled: can('catalog:read'),
    queryFn: async (): Promise<Row[]> => {
      if (q) {
        const { data, error } = await api.GET('/v1/search', { params: { query: { q, limit: 50 } } });
        if (!data) throw error;
        return data.items.map((p) => ({ id: p.id, name: p.name, slug: p.slug, brand: p.brand, price: p.priceRange }));
      }
      const { data, error } = await api.GET('/v1/products', { params: { query: { limit: 50, sort: 'newest' } } });
      if (!data) throw error;
      return data.items.map((p) => ({ id: p.id, name: p.name, slug: p.slug, brand: p.brand, price: p.priceRange }));
    },
  });
  if (!can('catalog:read')) return <NoAccess />;
  return (
    <Page
      title="Products"
      actions={
        can('catalog:write') ? (
          <Link to="/products/new" className="button primary">
            New product
          </Link>
        ) : null
      }
    >
      <search>
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            setQ(typed.trim());
          }}
        >
          <label htmlFor="product-search">Search products</label>
          <input id="product-search" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
          <button type="submit">Search</button>
        </form>
      </search>
      <p className="hint">Published products, newest first. Drafts and archived products open from their link.</p>
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable
          caption={q ? `Products matching “${q}”` : 'Published products'}
          data={list.data}
          columns={columns}
          empty="No products."
        />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </Page>
  );
}
