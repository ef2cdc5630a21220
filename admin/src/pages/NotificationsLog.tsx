// The notification delivery log (by status, with retry of a failed or dead message) and the templates: each kind's
// subject per locale, and a preview with sample data.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Done, Field, ProblemNote } from '../ui/kit.tsx';

/** A mail as a customer would read it: headers, the text part, and the HTML source (as text, never rendered). */
export function MailView(props: {
  subject: string | null;
  to?: string | null;
  text: string | null;
  html: string | null;
  /** The outbox withheld a single-use secret (a reset or verification link's token). */
  redacted?: boolean;
}) {
  return (
    <article aria-label={`Mail: ${props.subject ?? '(no subject)'}`} className="card stack">
      <h3>{props.subject ?? '(no subject)'}</h3>
      {props.to !== undefined ? <p>To: {props.to ?? '(erased)'}</p> : null}
      {props.redacted ? (
        <p className="hint">
          The link's single-use token reads [redacted]: it is for the recipient only. In development the server's log
          prints the link.
        </p>
      ) : null}
      <pre className="mail-text">{props.text ?? '(no text part)'}</pre>
      {props.html ? (
        <details>
          <summary>HTML source</summary>
          <pre className="mail-text">{props.html}</pre>
        </details>
      ) : null}
    </article>
  );
}

type Status = 'pending' | 'sending' | 'sent' | 'failed' | 'dead';
const STATUSES: Status[] = ['pending', 'sending', 'sent', 'failed', 'dead'];
interface MessageRow {
  id: string;
  kind: string;
  locale: string;
  status: string;
  attempts: number;
  lastError: string | null;
  recipient: string | null;
  createdAt: string;
  sentAt: string | null;
}

export function MessageLog() {
  const can = useCan();
  const qc = useQueryClient();
  const [status, setStatus] = useState<Status | ''>('');
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const list = useQuery({
    queryKey: ['notifications', 'messages', status],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/notifications/messages', {
        params: { query: { limit: 50, ...(status ? { status } : {}) } },
      });
      if (!data) throw error;
      return data.items;
    },
  });
  const retry = async (id: string) => {
    const { data, error } = await api.POST('/v1/admin/notifications/messages/{id}/retry', {
      params: { path: { id } },
    });
    setDone(data ? `Message ${id} queued again.` : undefined);
    setProblem(data ? undefined : problemMessage(error));
    await qc.invalidateQueries({ queryKey: ['notifications', 'messages'] });
  };
  const col = createColumnHelper<MessageRow>();
  const columns = [
    col.accessor('createdAt', { header: 'Created', cell: (c) => new Date(c.getValue()).toLocaleString() }),
    col.accessor('recipient', { header: 'Recipient', cell: (c) => c.getValue() ?? '(erased)' }),
    col.accessor('kind', { header: 'Kind' }),
    col.accessor('locale', { header: 'Locale' }),
    col.accessor('status', { header: 'Status' }),
    col.accessor('attempts', { header: 'Attempts' }),
    col.accessor('lastError', { header: 'Last error', cell: (c) => c.getValue() ?? '—' }),
    ...(can('notifications:manage')
      ? [
          col.display({
            id: 'retry',
            header: 'Action',
            cell: (c) =>
              c.row.original.status === 'failed' || c.row.original.status === 'dead' ? (
                <button
                  type="button"
                  aria-label={`Retry message ${c.row.original.id}`}
                  onClick={() => retry(c.row.original.id)}
                >
                  Retry
                </button>
              ) : null,
          }),
        ]
      : []),
  ];
  return (
    <section aria-labelledby="messages-title" className="stack">
      <h2 id="messages-title">Delivery log</h2>
      <div className="row">
        <Field label="Message status">
          {(a) => (
            <select {...a} value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ProblemNote message={list.isError ? problemMessage(list.error) : problem} />
      <Done message={done} />
      {list.data ? (
        <DataTable caption="Messages, newest first" data={list.data} columns={columns} empty="No messages." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
}

export function Templates() {
  const [kind, setKind] = useState<string>();
  const [locale, setLocale] = useState<string>();
  const templates = useQuery({
    queryKey: ['notifications', 'templates'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/notifications/templates');
      if (!data) throw error;
      return data;
    },
  });
  const t = templates.data;
  const shownLocale = locale ?? t?.defaultLocale;
  const previewLocale = t?.locales.find((l) => l === shownLocale);
  const preview = useQuery({
    queryKey: ['notifications', 'preview', kind, shownLocale],
    enabled: Boolean(kind && shownLocale),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/notifications/templates/{kind}/preview', {
        params: {
          path: { kind: kind ?? '' },
          query: { ...(previewLocale ? { locale: previewLocale } : {}) },
        },
      });
      if (!data) throw error;
      return data;
    },
  });
  return (
    <section aria-labelledby="templates-title" className="stack">
      <h2 id="templates-title">Templates</h2>
      <ProblemNote message={templates.isError ? problemMessage(templates.error) : undefined} />
      {t ? (
        <>
          <div className="row">
            <Field label="Template">
              {(a) => (
                <select {...a} value={kind ?? ''} onChange={(e) => setKind(e.target.value || undefined)}>
                  <option value="">Choose…</option>
                  {t.items.map((i) => (
                    <option key={i.kind} value={i.kind}>
                      {i.kind}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Locale">
              {(a) => (
                <select {...a} value={shownLocale} onChange={(e) => setLocale(e.target.value)}>
                  {t.locales.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <div className="table-wrap">
            <table>
              <caption>Subject lines per locale (sample data)</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  {t.locales.map((l) => (
                    <th key={l} scope="col">
                      {l}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {t.items.map((i) => (
                  <tr key={i.kind}>
                    <th scope="row">{i.kind}</th>
                    {t.locales.map((l) => (
                      <td key={l}>{i.subjects[l] ?? '—'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ProblemNote message={preview.isError ? problemMessage(preview.error) : undefined} />
          {preview.data ? (
            <MailView subject={preview.data.subject} text={preview.data.text} html={preview.data.html} />
          ) : null}
        </>
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
}
