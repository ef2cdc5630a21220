// Notifications: the local mail outbox (mail kept while no SMTP_URL is set) with one message opened, the delivery
// log of messages with retry, and the templates previewed per locale. A mail's HTML is never put into the page: the
// page's CSP (no inline styles) would block a mail's own styling inside a srcdoc frame, so the text part is shown,
// and the HTML source as text.
import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { MailView, MessageLog, Templates } from './NotificationsLog.tsx';

interface OutboxRow {
  id: string;
  kind: string;
  to: string | null;
  subject: string | null;
  createdAt: string;
}

export function Notifications() {
  const can = useCan();
  const allowed = can('notifications:read');
  const [open, setOpen] = useState<string>();
  const outbox = useQuery({
    queryKey: ['notifications', 'outbox'],
    enabled: allowed,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/notifications/outbox', { params: { query: { limit: 50 } } });
      if (!data) throw error;
      return data.items;
    },
  });
  const mail = useQuery({
    queryKey: ['notifications', 'outbox', open],
    enabled: allowed && Boolean(open),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/notifications/outbox/{id}', {
        params: { path: { id: open ?? '' } },
      });
      if (!data) throw error;
      return data;
    },
  });
  if (!allowed) return <NoAccess />;

  const col = createColumnHelper<OutboxRow>();
  const columns = [
    col.accessor('createdAt', { header: 'Written', cell: (c) => new Date(c.getValue()).toLocaleString() }),
    col.accessor('to', { header: 'To', cell: (c) => c.getValue() ?? '(erased)' }),
    col.accessor('kind', { header: 'Kind' }),
    col.accessor('subject', {
      header: 'Subject',
      cell: (c) => (
        <button
          type="button"
          className="link"
          aria-pressed={open === c.row.original.id}
          onClick={() => setOpen(c.row.original.id)}
        >
          {c.getValue() ?? '(no subject)'}
        </button>
      ),
    }),
  ];
  return (
    <Page title="Notifications">
      <section aria-labelledby="outbox-title" className="stack">
        <h2 id="outbox-title">Mail outbox</h2>
        <p className="hint">Mail written here while no SMTP server is configured; open one to read it.</p>
        <ProblemNote message={outbox.isError ? problemMessage(outbox.error) : undefined} />
        {outbox.data ? (
          <DataTable caption="Mail outbox, newest first" data={outbox.data} columns={columns} empty="No mail." />
        ) : (
          <p aria-busy="true">Loading…</p>
        )}
        {open ? (
          <>
            <ProblemNote message={mail.isError ? problemMessage(mail.error) : undefined} />
            {mail.data ? <MailView {...mail.data} /> : <p aria-busy="true">Loading…</p>}
          </>
        ) : null}
      </section>
      <MessageLog />
      <Templates />
    </Page>
  );
}
