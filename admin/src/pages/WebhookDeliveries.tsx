// An endpoint's delivery log (newest first, by status): the last attempt of each, every attempt of one (status code
// or error, latency), and replay.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { problemMessage } from '../lib/problem.ts';
import { type DeliveryLike, lastAttempt } from '../lib/webhooks.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Done, Field, ProblemNote } from '../ui/kit.tsx';

type Status = 'pending' | 'delivered' | 'failed' | 'cancelled';
interface Row extends DeliveryLike {
  id: string;
  eventType: string;
  createdAt: string;
}

export function WebhookDeliveries(props: { endpointId: string }) {
  const { endpointId } = props;
  const qc = useQueryClient();
  const [status, setStatus] = useState<Status | ''>('');
  const [open, setOpen] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const list = useQuery({
    queryKey: ['webhook', endpointId, 'deliveries', status],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/webhooks/{id}/deliveries', {
        params: { path: { id: endpointId }, query: { limit: 50, ...(status ? { status } : {}) } },
      });
      if (!data) throw error;
      return data.items;
    },
  });
  const detail = useQuery({
    queryKey: ['webhook', endpointId, 'delivery', open],
    enabled: Boolean(open),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/webhook-deliveries/{deliveryId}', {
        params: { path: { deliveryId: open ?? '' } },
      });
      if (!data) throw error;
      return data;
    },
  });
  const replay = async (deliveryId: string) => {
    const { data, error } = await api.POST('/v1/admin/webhook-deliveries/{deliveryId}/replay', {
      params: { path: { deliveryId } },
    });
    setDone(data ? `Delivery ${deliveryId} sent again.` : undefined);
    setProblem(data ? undefined : problemMessage(error));
    await qc.invalidateQueries({ queryKey: ['webhook', endpointId] });
  };

  const col = createColumnHelper<Row>();
  const columns = [
    col.accessor('createdAt', { header: 'Created', cell: (c) => new Date(c.getValue()).toLocaleString() }),
    col.accessor('eventType', { header: 'Event' }),
    col.accessor('status', { header: 'Status' }),
    col.accessor('attempts', { header: 'Attempts' }),
    col.display({ id: 'last', header: 'Last attempt', cell: (c) => lastAttempt(c.row.original) }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <div className="inline">
          <button
            type="button"
            aria-label={`Attempts of ${c.row.original.id}`}
            aria-expanded={open === c.row.original.id}
            onClick={() => setOpen(open === c.row.original.id ? undefined : c.row.original.id)}
          >
            Attempts
          </button>
          <button type="button" aria-label={`Replay ${c.row.original.id}`} onClick={() => replay(c.row.original.id)}>
            Replay
          </button>
        </div>
      ),
    }),
  ];
  return (
    <section aria-labelledby="deliveries-title" className="stack">
      <h2 id="deliveries-title">Deliveries</h2>
      <div className="row">
        <Field label="Status">
          {(a) => (
            <select {...a} value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
              <option value="">Any</option>
              <option value="pending">Pending</option>
              <option value="delivered">Delivered</option>
              <option value="failed">Failed</option>
              <option value="cancelled">Cancelled</option>
            </select>
          )}
        </Field>
        <button type="button" onClick={() => qc.invalidateQueries({ queryKey: ['webhook', endpointId] })}>
          Refresh
        </button>
      </div>
      <ProblemNote message={list.isError ? problemMessage(list.error) : problem} />
      <Done message={done} />
      {list.data ? (
        <DataTable caption="Deliveries, newest first" data={list.data} columns={columns} empty="No deliveries." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {open ? (
        <section aria-labelledby="attempts-title">
          <h3 id="attempts-title">Attempts of {open}</h3>
          <ProblemNote message={detail.isError ? problemMessage(detail.error) : undefined} />
          {detail.data ? (
            <div className="table-wrap">
              <table>
                <caption>Every attempt of delivery {open}</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Started</th>
                    <th scope="col">Result</th>
                    <th scope="col">Latency</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.data.attemptLog.length === 0 ? (
                    <tr>
                      <td colSpan={4}>Not tried yet.</td>
                    </tr>
                  ) : (
                    detail.data.attemptLog.map((a) => (
                      <tr key={a.attempt}>
                        <td>{a.attempt}</td>
                        <td>{new Date(a.startedAt).toLocaleString()}</td>
                        <td>
                          {a.succeeded ? 'Delivered' : 'Failed'}
                          {a.statusCode !== null ? `: HTTP ${a.statusCode}` : ''}
                          {a.error ? ` (${a.error})` : ''}
                        </td>
                        <td>{a.latencyMs} ms</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </div>
          ) : (
            <p aria-busy="true">Loading…</p>
          )}
        </section>
      ) : null}
    </section>
  );
}
