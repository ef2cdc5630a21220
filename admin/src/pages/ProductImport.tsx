// Product import: a CSV or NDJSON file sent to POST /v1/admin/imports through the typed client (over
// XMLHttpRequest for the bytes sent), the running import's rows from GET /v1/admin/imports every second, then the
// result with its row errors, and the history of imports.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useId, useState } from 'react';
import { IMPORT_COLUMNS } from '../../../src/modules/catalog/catalog.import-columns.ts';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import {
  countRows,
  findRunning,
  type ImportStatus,
  importMediaType,
  type Phase,
  progressView,
  uploadFetch,
} from '../lib/imports.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

type RowError = ImportStatus['errors'][number];
const ec = createColumnHelper<RowError>();
const errorColumns = [ec.accessor('line', { header: 'Line' }), ec.accessor('message', { header: 'Message' })];

const hc = createColumnHelper<ImportStatus>();
const historyColumns = [
  hc.accessor('createdAt', { header: 'Started', cell: (c) => when(c.getValue()) }),
  hc.accessor('format', { header: 'Format' }),
  hc.accessor('status', { header: 'Status' }),
  hc.accessor('rowsOk', { header: 'Rows ok' }),
  hc.accessor('rowsFailed', { header: 'Rows failed' }),
  hc.accessor('productsChanged', { header: 'Products changed' }),
  hc.accessor('finishedAt', { header: 'Finished', cell: (c) => when(c.getValue()) }),
];

export function ProductImport() {
  const can = useCan();
  const qc = useQueryClient();
  const progressId = useId();
  const [file, setFile] = useState<File>();
  const [fileError, setFileError] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [before, setBefore] = useState<ReadonlySet<string>>(new Set());
  const uploading = phase.kind === 'uploading';
  const history = useQuery({
    queryKey: ['imports'],
    enabled: can('catalog:read'),
    refetchInterval: uploading ? 1000 : false,
    // While polling, a slow or failed answer waits for the next poll rather than for retries.
    retry: uploading ? false : 3,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/imports', { params: { query: { limit: 20 } } });
      if (!data) throw error;
      return data.items;
    },
  });
  if (!can('catalog:write')) return <NoAccess />;

  const live = uploading ? findRunning(history.data ?? [], before) : undefined;
  const view = progressView(uploading ? { ...phase, live } : phase);

  const start = async () => {
    setProblem(undefined);
    const type = file ? importMediaType(file.name) : undefined;
    if (!file || !type) {
      setFileError(file ? 'Choose a .csv or .ndjson file.' : 'Choose a file to import.');
      return;
    }
    setFileError(undefined);
    setBefore(new Set((history.data ?? []).map((i) => i.id)));
    const text = await file.text();
    const rows = countRows(text, type);
    setPhase({ kind: 'uploading', sent: 0, size: file.size, rows, live: undefined });
    const { data, error } = await api
      .POST('/v1/admin/imports', {
        body: text,
        bodySerializer: (body) => body,
        headers: { 'content-type': type },
        fetch: uploadFetch((sent, size) => setPhase({ kind: 'uploading', sent, size, rows, live: undefined })),
      })
      .catch((e: unknown) => ({ data: undefined, error: { detail: (e as Error).message } }));
    if (data) setPhase({ kind: 'done', result: data });
    else {
      setPhase({ kind: 'failed' });
      setProblem(problemMessage(error));
    }
    await qc.invalidateQueries({ queryKey: ['imports'] });
    await qc.invalidateQueries({ queryKey: ['products'] });
  };

  return (
    <Page
      title="Import products"
      actions={
        <Link to="/products" className="button">
          Back to products
        </Link>
      }
    >
      <section aria-labelledby="import-file-title" className="stack">
        <h2 id="import-file-title">File</h2>
        <p className="hint">
          CSV with a header row, or NDJSON (one JSON object per line), one row per variant. Products are matched by
          slug, variants by SKU: importing a file again changes only what differs. Bad rows are listed with their line
          and do not stop the import.
        </p>
        <details>
          <summary>Columns</summary>
          <ul>
            {IMPORT_COLUMNS.map((c) => (
              <li key={c.name}>
                <code>{c.name}</code>: {c.meaning}
              </li>
            ))}
          </ul>
        </details>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <Field label="CSV or NDJSON file" error={fileError} hint=".csv, .ndjson or .jsonl">
            {(a11y) => (
              <input
                {...a11y}
                type="file"
                accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson"
                onChange={(e) => {
                  setFile(e.target.files?.[0]);
                  setFileError(undefined);
                }}
              />
            )}
          </Field>
          <div className="actions">
            <button type="submit" className="primary" disabled={uploading}>
              {uploading ? 'Importing…' : 'Import'}
            </button>
          </div>
          <ProblemNote message={problem} />
        </form>
        {view ? (
          <div className="field">
            <label htmlFor={progressId}>Import progress</label>
            <progress id={progressId} max={1} value={view.value}>
              {view.text}
            </progress>
            <p role="status">{view.text}</p>
          </div>
        ) : null}
      </section>
      {phase.kind === 'done' ? (
        <section aria-labelledby="import-result-title" className="stack">
          <h2 id="import-result-title">Result</h2>
          <dl className="totals">
            <dt>Rows ok</dt>
            <dd>{phase.result.rowsOk}</dd>
            <dt>Rows failed</dt>
            <dd>{phase.result.rowsFailed}</dd>
            <dt>Products changed</dt>
            <dd>{phase.result.productsChanged}</dd>
          </dl>
          <DataTable
            caption={
              phase.result.rowsFailed > phase.result.errors.length
                ? `Row errors (the first ${phase.result.errors.length} of ${phase.result.rowsFailed})`
                : 'Row errors'
            }
            data={phase.result.errors}
            columns={errorColumns}
            empty="None: every row was imported."
          />
        </section>
      ) : null}
      <section aria-labelledby="import-history-title" className="stack">
        <h2 id="import-history-title">History</h2>
        <ProblemNote message={history.isError ? problemMessage(history.error) : undefined} />
        {history.data ? (
          <DataTable caption="Latest imports" data={history.data} columns={historyColumns} empty="No imports yet." />
        ) : (
          <p aria-busy="true">Loading…</p>
        )}
      </section>
    </Page>
  );
}
