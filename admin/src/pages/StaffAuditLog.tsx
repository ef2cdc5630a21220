// The security audit log (audit:read), newest first, filtered by action and by the account concerned as the API
// filters (exact values); older entries on request.
import { useInfiniteQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { problemMessage } from '../lib/problem.ts';
import { AUDIT_ACTIONS, auditActionText, auditActor, auditDetail } from '../lib/staff-gaps.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Field, ProblemNote } from '../ui/kit.tsx';

interface Entry {
  id: string;
  at: string;
  action: string;
  actorKind: string;
  actorId: string | null;
  subjectId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}
interface Filters {
  action: string;
  subjectId: string;
}

const col = createColumnHelper<Entry>();
/** The columns; `names` shows the accounts the page knows (staff members) by email instead of id. */
const columnsFor = (names: Record<string, string>) => [
  col.accessor('at', { header: 'When', cell: (c) => new Date(c.getValue()).toLocaleString() }),
  col.accessor('action', { header: 'What', cell: (c) => auditActionText(c.getValue()) }),
  col.display({ id: 'actor', header: 'By', cell: (c) => auditActor(c.row.original, names) }),
  col.accessor('subjectId', {
    header: 'Concerning',
    cell: (c) => {
      const id = c.getValue();
      return id ? (names[id] ?? id) : '—';
    },
  }),
  col.accessor('ip', { header: 'IP', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('detail', { header: 'Detail', cell: (c) => auditDetail(c.getValue()) || '—' }),
];

/** `subjectIds`: the staff members' ids by email (suggested in the account filter, shown instead of ids). */
export function AuditLog({ subjectIds = {} }: { subjectIds?: Record<string, string> }) {
  const names = Object.fromEntries(Object.entries(subjectIds).map(([email, id]) => [id, email]));
  const [filters, setFilters] = useState<Filters>({ action: '', subjectId: '' });
  const form = useForm<Filters>({ defaultValues: filters });
  const log = useInfiniteQuery({
    queryKey: ['audit-log', filters],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
    queryFn: async ({ pageParam }) => {
      const query = {
        limit: 25,
        ...(filters.action ? { action: filters.action } : {}),
        ...(filters.subjectId ? { subjectId: filters.subjectId } : {}),
        ...(pageParam ? { cursor: pageParam } : {}),
      };
      const { data, error } = await api.GET('/v1/admin/audit-log', { params: { query } });
      if (!data) throw error;
      return data;
    },
  });
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="audit-title" className="stack">
      <h2 id="audit-title">Audit log</h2>
      <form
        className="row"
        aria-label="Filter the audit log"
        onSubmit={form.handleSubmit((v) => setFilters({ action: v.action, subjectId: v.subjectId.trim() }))}
      >
        <Field label="Action">
          {(a) => (
            <select {...a} {...form.register('action')}>
              <option value="">Any action</option>
              {AUDIT_ACTIONS.map((x) => (
                <option key={x} value={x}>
                  {auditActionText(x)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Account" hint="Staff member, or an account id">
          {(a) => <input {...a} list="audit-subjects" placeholder="usr_…" {...form.register('subjectId')} />}
        </Field>
        <datalist id="audit-subjects">
          {Object.entries(subjectIds).map(([email, id]) => (
            <option key={id} value={id}>
              {email}
            </option>
          ))}
        </datalist>
        <button type="submit">Filter</button>
      </form>
      <ProblemNote message={log.isError ? problemMessage(log.error) : undefined} />
      {log.data ? (
        <DataTable
          caption="Security audit log, newest first"
          data={rows}
          columns={columnsFor(names)}
          empty="No entries."
        />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {log.hasNextPage ? (
        <button type="button" disabled={log.isFetchingNextPage} onClick={() => log.fetchNextPage()}>
          Older entries
        </button>
      ) : null}
    </section>
  );
}
