// GDPR for customers: download the personal data the API exports for an email, erase a guest's data by email, and
// the erasure records (who erased whom, how far it got). Needs privacy:manage; the API refuses it otherwise.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { erasureProgress, exportFileName } from '../lib/customers.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { ConfirmButton, Done, Field, ProblemNote } from '../ui/kit.tsx';

/** Asks the API for the email's export and saves it as a JSON file; the result or the problem shows next to it. */
/** Offers `data` as a JSON file download named `name`; returns the name. */
function saveJson(data: unknown, name: string): string {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
  return name;
}

export function ExportButton(props: { email: string; label?: string }) {
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="stack">
      <button
        type="button"
        disabled={busy || !props.email.trim()}
        onClick={async () => {
          setProblem(undefined);
          setDone(undefined);
          setBusy(true);
          const { data, error } = await api.POST('/v1/admin/privacy/exports', { body: { email: props.email.trim() } });
          setBusy(false);
          if (!data) return setProblem(problemMessage(error));
          setDone(`Saved ${saveJson(data, exportFileName(props.email, new Date(data.exportedAt)))}.`);
        }}
      >
        {props.label ?? 'Download data export (JSON)'}
      </button>
      <ProblemNote message={problem} />
      <Done message={done} />
    </div>
  );
}

/** Downloads an account's full GDPR export (GET /v1/admin/users/{id}/export) as a JSON file. */
export function AccountExportButton(props: { userId: string; email: string }) {
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="stack">
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setProblem(undefined);
          setDone(undefined);
          setBusy(true);
          const { data, error } = await api.GET('/v1/admin/users/{id}/export', {
            params: { path: { id: props.userId } },
          });
          setBusy(false);
          if (!data) return setProblem(problemMessage(error));
          setDone(`Saved ${saveJson(data, exportFileName(props.email, new Date(data.exportedAt)))}.`);
        }}
      >
        Download data export (JSON)
      </button>
      <ProblemNote message={problem} />
      <Done message={done} />
    </div>
  );
}

export interface ErasureRecord {
  id: string;
  status: string;
  userId: string | null;
  requestedBy: string;
  reason: string | null;
  stepsDone: string[];
  recordsErased: number;
  lastError: string | null;
  createdAt: string;
}

export function useErasures(enabled: boolean) {
  return useQuery({
    queryKey: ['erasures'],
    enabled,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/privacy/erasures', { params: { query: { limit: 100 } } });
      if (!data) throw error;
      return data.items;
    },
  });
}

const col = createColumnHelper<ErasureRecord>();
const columns = [
  col.accessor('createdAt', { header: 'Requested', cell: (c) => new Date(c.getValue()).toLocaleString() }),
  col.accessor('userId', { header: 'Whose', cell: (c) => (c.getValue() ? `Account ${c.getValue()}` : 'A guest') }),
  col.accessor('requestedBy', { header: 'By' }),
  col.accessor('reason', { header: 'Reason', cell: (c) => c.getValue() ?? '' }),
  col.display({ id: 'progress', header: 'Progress', cell: (c) => erasureProgress(c.row.original) }),
];

/** A guest's data by email: export it, or erase it after a confirmation; then the erasure records. */
export function GuestPrivacy() {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const erasures = useErasures(true);
  return (
    <section aria-labelledby="guest-title" className="stack">
      <h2 id="guest-title">Guest data (GDPR)</h2>
      <p className="hint">
        Orders and carts placed without an account, found by email. An account's data is erased from its page.
      </p>
      <form className="row" onSubmit={(e) => e.preventDefault()} aria-labelledby="guest-title">
        <Field label="Guest email">
          {(a) => <input {...a} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Reason for erasure" hint="Kept with the erasure record">
          {(a) => <input {...a} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      </form>
      <div className="actions">
        <ExportButton email={email} label="Download guest export (JSON)" />
        <ConfirmButton
          label="Erase guest data"
          title={`Erase the personal data of ${email.trim() || 'this guest'}?`}
          body="Names, addresses and emails on their orders and carts are removed for good. Orders stay for the legal retention without them."
          confirmLabel="Erase for good"
          disabled={!email.trim()}
          onConfirm={async () => {
            setProblem(undefined);
            setDone(undefined);
            const body = { email: email.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) };
            const { data, error } = await api.POST('/v1/admin/privacy/erasures', { body });
            if (!data) return setProblem(problemMessage(error));
            setDone(erasureProgress(data));
            await qc.invalidateQueries({ queryKey: ['erasures'] });
          }}
        />
      </div>
      <ProblemNote message={problem} />
      <Done message={done} />
      <ProblemNote message={erasures.isError ? problemMessage(erasures.error) : undefined} />
      {erasures.data ? (
        <DataTable caption="Erasure requests, newest first" data={erasures.data} columns={columns} empty="None yet." />
      ) : null}
    </section>
  );
}
