// One order: its lines (refund one), totals, payment, shipping it with carrier and tracking, its returns (receive
// or reject), cancelling it, and its timeline (the order's event log with shipments' tracking and returns' refunds).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api, newIdempotencyKey } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { logText } from '../lib/gaps.ts';
import { formatMoney } from '../lib/money.ts';
import { linePaid, timeline } from '../lib/orders.ts';
import { problemMessage } from '../lib/problem.ts';
import { ConfirmButton, Done, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { ReturnsPanel } from './OrderReturns.tsx';
import { ShipForm } from './ShipForm.tsx';

export function OrderDetail() {
  const { orderId } = useParams({ from: '/shell/orders/$orderId' });
  const can = useCan();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const order = useQuery({
    queryKey: ['order', orderId],
    enabled: can('orders:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/orders/{id}', { params: { path: { id: orderId } } });
      if (!data) throw error;
      return data;
    },
  });
  const shipments = useQuery({
    queryKey: ['order', orderId, 'shipments'],
    enabled: can('orders:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/orders/{id}/shipments', { params: { path: { id: orderId } } });
      if (!data) throw error;
      return data.items;
    },
  });
  const returns = useQuery({
    queryKey: ['order', orderId, 'returns'],
    enabled: can('orders:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/orders/{id}/returns', { params: { path: { id: orderId } } });
      if (!data) throw error;
      return data.items;
    },
  });
  const log = useQuery({
    queryKey: ['order', orderId, 'events'],
    enabled: can('orders:read'),
    queryFn: async () => {
      const items = [];
      let cursor: string | undefined;
      do {
        const { data, error } = await api.GET('/v1/admin/orders/{id}/events', {
          params: { path: { id: orderId }, query: cursor ? { cursor } : {} },
        });
        if (!data) throw error;
        items.push(...data.items);
        cursor = data.nextCursor ?? undefined;
      } while (cursor);
      return items;
    },
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['order', orderId] });
  const report = (ok: string | undefined, failed: unknown) => {
    setDone(ok);
    setProblem(ok ? undefined : problemMessage(failed));
  };

  if (!can('orders:read')) return <NoAccess />;
  if (order.isError) return <ProblemNote message={problemMessage(order.error)} />;
  const o = order.data;
  if (!o) return <p aria-busy="true">Loading…</p>;

  const refundLine = async (variantId: string) => {
    const line = o.items.find((i) => i.variantId === variantId);
    if (!line) return;
    const amount = linePaid(line);
    const { data, error } = await api.POST('/v1/admin/orders/{orderId}/refunds', {
      params: { path: { orderId }, header: { 'idempotency-key': newIdempotencyKey() } },
      body: { amount: amount.amount, reason: `Line ${line.sku} refunded` },
    });
    report(data ? `Refund of ${formatMoney(data.amount)} for ${line.sku}: ${data.status}.` : undefined, error);
    await refresh();
  };
  const cancel = async () => {
    const { data, error } = await api.POST('/v1/orders/{id}/cancel', {
      params: { path: { id: orderId } },
      body: { reason: 'Cancelled by staff' },
    });
    report(data ? `Order ${data.number} cancelled.` : undefined, error);
    await refresh();
  };
  const cancellable = !['cancelled', 'refunded', 'returned'].includes(o.status);
  const unshipped = o.status !== 'cancelled' && o.items.some((l) => l.shippedQuantity < l.quantity);
  const derived = timeline(o, shipments.data ?? [], returns.data ?? [], formatMoney);
  // The log holds every status change with who and why; shipments and returns add tracking and refunds.
  const events = log.data
    ? [
        ...log.data.map((e) => ({ at: e.createdAt, text: logText(e) })),
        ...derived.filter((e) => e.text !== `Order ${o.number} placed`),
      ].sort((a, b) => a.at.localeCompare(b.at))
    : derived;

  return (
    <Page
      title={`Order ${o.number}`}
      actions={
        can('orders:manage') && cancellable ? (
          <ConfirmButton
            label="Cancel order"
            title={`Cancel order ${o.number}?`}
            body="Its reservations are released and its payment voided or refunded."
            confirmLabel="Cancel order"
            onConfirm={() => void cancel()}
          />
        ) : null
      }
    >
      <p>
        Status: <strong data-testid="order-status">{o.status}</strong> · payment {o.payment.status} · placed{' '}
        {new Date(o.createdAt).toLocaleString()} · {o.email ?? '(customer erased)'}
      </p>
      <ProblemNote message={problem} />
      <Done message={done} />
      <div className="table-wrap">
        <table>
          <caption>Lines</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Product</th>
              <th scope="col">Quantity</th>
              <th scope="col">Shipped</th>
              <th scope="col">Returned</th>
              <th scope="col">Paid</th>
              {can('payments:refund') ? <th scope="col">Refund</th> : null}
            </tr>
          </thead>
          <tbody>
            {o.items.map((l) => (
              <tr key={l.variantId}>
                <td>{l.sku}</td>
                <td>{l.name}</td>
                <td>{l.quantity}</td>
                <td>{l.shippedQuantity}</td>
                <td>{l.returnedQuantity}</td>
                <td>{formatMoney(linePaid(l))}</td>
                {can('payments:refund') ? (
                  <td>
                    <ConfirmButton
                      label={`Refund ${l.sku}`}
                      title={`Refund line ${l.sku}?`}
                      body={`${formatMoney(linePaid(l))} goes back to the customer's payment.`}
                      confirmLabel="Refund line"
                      onConfirm={() => void refundLine(l.variantId)}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className="totals">
        <dt>Subtotal</dt>
        <dd>{formatMoney(o.totals.subtotal)}</dd>
        <dt>Discount</dt>
        <dd>{formatMoney(o.totals.discount)}</dd>
        <dt>Shipping</dt>
        <dd>{formatMoney(o.totals.shipping)}</dd>
        <dt>Tax</dt>
        <dd>{formatMoney(o.totals.tax)}</dd>
        <dt>Total</dt>
        <dd>{formatMoney(o.totals.total)}</dd>
      </dl>
      <h2>Shipments</h2>
      <ul aria-label="Shipments">
        {(shipments.data ?? []).map((s) => (
          <li key={s.id}>
            {s.carrier ?? 'No carrier'} {s.trackingNumber ?? ''} — {s.status}
            {s.items.map(
              (i) => ` · ${i.quantity}× ${o.items.find((l) => l.variantId === i.variantId)?.sku ?? i.variantId}`,
            )}
          </li>
        ))}
      </ul>
      {can('orders:manage') && unshipped ? <ShipForm orderId={orderId} onShipped={refresh} /> : null}
      <ReturnsPanel order={o} returns={returns.data ?? []} onChange={refresh} />
      <h2>Timeline</h2>
      <ProblemNote message={log.isError ? problemMessage(log.error) : undefined} />
      <ol className="timeline" aria-label="Timeline">
        {events.map((e) => (
          <li key={`${e.at}-${e.text}`}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time> {e.text}
          </li>
        ))}
      </ol>
    </Page>
  );
}
