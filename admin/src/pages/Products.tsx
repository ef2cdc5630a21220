// Products: every product in any status, or one status (GET /v1/admin/products), or a full-text search of the
// published ones (GET /v1/search).
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { PRODUCT_STATUSES, type ProductStatus, staffPriceRange } from '../lib/gaps.ts';
import { formatMoney, type Money } from '../lib/money.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { NoAccess, Page, ProblemNote } from '../ui/kit.tsx';

interface Row {
  id: string;
  name: string;
  slug: string;
  brand: string | null;
  status: string;
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
  col.accessor('status', { header: 'Status' }),
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
  const [status, setStatus] = useState<ProductStatus | ''>('');
  const [cursor, setCursor] = useState<string>();
  const list = useQuery({
    queryKey: ['products', q, status, cursor],
    enabled: can('catalog:read'),
    queryFn: async (): Promise<{ rows: Row[]; next: string | null }> => {
      if (q) {
        const { data, error } = await api.GET('/v1/search', { params: { query: { q, limit: 50 } } });
        if (!data) throw error;
        const rows = data.items.map((p) => ({
          id: p.id,
          name: p.name,
          slug: p.slug,
          brand: p.brand,
          status: 'published',
          price: p.priceRange,
        }));
        return { rows, next: null };
      }
      const query = { limit: 50, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) };
      const { data, error } = await api.GET('/v1/admin/products', { params: { query } });
      if (!data) throw error;
      const rows = data.items.map((p) => ({
        id: p.id,
        name: p.name,
        slug: p.slug,
        brand: p.brand,
        status: p.status,
        price: staffPriceRange(p.variants),
      }));
      return { rows, next: data.nextCursor };
    },
  });
  if (!can('catalog:read')) return <NoAccess />;
  return (
    <Page
      title="Products"
      actions={
        can('catalog:write') ? (
          <div className="actions">
            <Link to="/products/import" className="button">
              Import
            </Link>
            <Link to="/products/new" className="button primary">
              New product
            </Link>
          </div>
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
      <form className="inline" onSubmit={(e) => e.preventDefault()} aria-label="Filter products">
        <label htmlFor="product-status">Status</label>
        <select
          id="product-status"
          value={status}
          onChange={(e) => {
            setCursor(undefined);
            setQ('');
            setTyped('');
            const v = e.target.value;
            setStatus(PRODUCT_STATUSES.find((s) => s === v) ?? '');
          }}
        >
          <option value="">Any</option>
          {PRODUCT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </form>
      <p className="hint">
        Newest first, in any status; search finds published products. Prices in the first currency of the first variant.
      </p>
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable
          caption={q ? `Products matching “${q}”` : status ? `Products: ${status}` : 'Products'}
          data={list.data.rows}
          columns={columns}
          empty="No products."
        />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {list.data?.next ? (
        <button type="button" onClick={() => setCursor(list.data?.next ?? undefined)}>
          Older products
        </button>
      ) : null}
    </Page>
  );
}
