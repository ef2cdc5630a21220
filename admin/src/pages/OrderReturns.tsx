// An order's returns: receive one (refund and, by choice, restock) or reject it.
import { useState } from 'react';
import { api, newIdempotencyKey } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { formatMoney, type Money } from '../lib/money.ts';
import { problemMessage } from '../lib/problem.ts';
import { Done, ProblemNote } from '../ui/kit.tsx';

interface ReturnRow {
  id: string;
  status: string;
  reason: string | null;
  refund: Money;
  items: { variantId: string; quantity: number }[];
}

export function ReturnsPanel(props: {
  order: { items: { variantId: string; sku: string }[] };
  returns: ReturnRow[];
  onChange: () => unknown;
}) {
  const can = useCan();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [restock, setRestock] = useState(true);
  const sku = (id: string) => props.order.items.find((l) => l.variantId === id)?.sku ?? id;
  const decide = async (id: string, how: 'receive' | 'reject') => {
    setProblem(undefined);
    setDone(undefined);
    const params = { path: { id }, header: { 'idempotency-key': newIdempotencyKey() } };
    const { data, error } =
      how === 'receive'
        ? await api.POST('/v1/admin/returns/{id}/receive', { params, body: { restock } })
        : await api.POST('/v1/admin/returns/{id}/reject', { params, body: {} });
    if (!data) setProblem(problemMessage(error));
    else setDone(how === 'receive' ? `Return received; ${formatMoney(data.refund)} refunded.` : 'Return rejected.');
    await props.onChange();
  };
  return (
    <section aria-labelledby="returns-title">
      <h2 id="returns-title">Returns</h2>
      {props.returns.length === 0 ? <p>No returns.</p> : null}
      {can('orders:manage') && props.returns.some((r) => r.status === 'requested') ? (
        <label className="check">
          <input type="checkbox" checked={restock} onChange={(e) => setRestock(e.target.checked)} /> Put received units
          back in stock
        </label>
      ) : null}
      <ul aria-label="Returns">
        {props.returns.map((r) => (
          <li key={r.id}>
            {r.items.map((i) => `${i.quantity}× ${sku(i.variantId)}`).join(', ')} — {r.status}
            {r.reason ? ` (“${r.reason}”)` : ''} — refund {formatMoney(r.refund)}
            {can('orders:manage') && r.status === 'requested' ? (
              <span className="actions">
                <button type="button" onClick={() => void decide(r.id, 'receive')}>
                  Receive return
                </button>
                <button type="button" onClick={() => void decide(r.id, 'reject')}>
                  Reject return
                </button>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <ProblemNote message={problem} />
      <Done message={done} />
    </section>
  );
}
