// Jobs and dead letters: the scheduled jobs with their last run, the latest one-off jobs (a dead one can be retried),
// and the events a subscriber failed on too many times, each of which can be retried.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { every, lastRun } from '../lib/jobs.ts';
import { problemMessage } from '../lib/problem.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Done, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

interface Scheduled {
  name: string;
  intervalMs: number;
  nextRunAt: string;
  running: boolean;
  runs: number;
  failures: number;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastDurationMs: number | null;
  lastError: string | null;
}
const sc = createColumnHelper<Scheduled>();
const scheduledColumns = [
  sc.accessor('name', { header: 'Job' }),
  sc.accessor('intervalMs', { header: 'Every', cell: (c) => every(c.getValue()) }),
  sc.display({ id: 'last', header: 'Last run', cell: (c) => lastRun(c.row.original, when) }),
  sc.accessor('nextRunAt', { header: 'Next run', cell: (c) => when(c.getValue()) }),
  sc.accessor('runs', { header: 'Runs' }),
  sc.accessor('failures', { header: 'Failures' }),
];

interface Queued {
  id: string;
  name: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  createdAt: string;
  lastError: string | null;
}
const qc_ = createColumnHelper<Queued>();
const queueColumns = [
  qc_.accessor('name', { header: 'Job' }),
  qc_.accessor('status', { header: 'Status' }),
  qc_.display({
    id: 'attempts',
    header: 'Attempts',
    cell: (c) => `${c.row.original.attempts} of ${c.row.original.maxAttempts}`,
  }),
  qc_.accessor('createdAt', { header: 'Created', cell: (c) => when(c.getValue()) }),
  qc_.accessor('lastError', { header: 'Last error', cell: (c) => c.getValue() ?? '—' }),
];
/** The one-off jobs' columns, with a retry button on dead ones for staff who may retry (events:manage). */
const queueColumnsWithRetry = (retry: (j: Queued) => void) => [
  ...queueColumns,
  qc_.display({
    id: 'retry',
    header: 'Action',
    cell: (c) =>
      c.row.original.status === 'dead' ? (
        <button
          type="button"
          aria-label={`Retry job ${c.row.original.name} (${c.row.original.id})`}
          onClick={() => retry(c.row.original)}
        >
          Retry
        </button>
      ) : (
        '—'
      ),
  }),
];

interface Dead {
  id: string;
  eventType: string;
  subscriber: string;
  attempts: number;
  lastError: string;
  createdAt: string;
}

export function Jobs() {
  const can = useCan();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [jobProblem, setJobProblem] = useState<string>();
  const [jobDone, setJobDone] = useState<string>();
  const jobs = useQuery({
    queryKey: ['jobs'],
    enabled: can('jobs:read'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/jobs', { params: { query: { limit: 50 } } });
      if (!data) throw error;
      return data;
    },
  });
  const dead = useQuery({
    queryKey: ['dead-letters'],
    enabled: can('events:manage'),
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/events/dead-letters', { params: { query: { limit: 100 } } });
      if (!data) throw error;
      return data.items;
    },
  });
  if (!can('jobs:read') && !can('events:manage')) return <NoAccess />;

  const retry = async (d: Dead) => {
    const { data, error } = await api.POST('/v1/admin/events/dead-letters/{id}/retry', {
      params: { path: { id: d.id } },
    });
    setDone(data ? `${d.eventType} sent to ${d.subscriber} again.` : undefined);
    setProblem(data ? undefined : problemMessage(error));
    await qc.invalidateQueries({ queryKey: ['dead-letters'] });
    await qc.invalidateQueries({ queryKey: ['overview', 'dead-letters'] });
  };
  const retryJob = async (j: Queued) => {
    const { data, error } = await api.POST('/v1/admin/jobs/{id}/retry', { params: { path: { id: j.id } } });
    // The list is read again first, so the message and the row it speaks of show together.
    await qc.invalidateQueries({ queryKey: ['jobs'] });
    setJobDone(data ? `Job ${j.name} queued to run again.` : undefined);
    setJobProblem(data ? undefined : problemMessage(error));
  };
  const dc = createColumnHelper<Dead>();
  const deadColumns = [
    dc.accessor('createdAt', { header: 'Failed', cell: (c) => when(c.getValue()) }),
    dc.accessor('eventType', { header: 'Event' }),
    dc.accessor('subscriber', { header: 'Subscriber' }),
    dc.accessor('attempts', { header: 'Attempts' }),
    dc.accessor('lastError', { header: 'Last error' }),
    dc.display({
      id: 'retry',
      header: 'Action',
      cell: (c) => (
        <button
          type="button"
          aria-label={`Retry ${c.row.original.eventType} for ${c.row.original.subscriber}`}
          onClick={() => retry(c.row.original)}
        >
          Retry
        </button>
      ),
    }),
  ];

  return (
    <Page title="Jobs and dead letters">
      {can('events:manage') ? (
        <section aria-labelledby="dead-title" className="stack">
          <h2 id="dead-title">Dead letters</h2>
          <ProblemNote message={dead.isError ? problemMessage(dead.error) : problem} />
          <Done message={done} />
          {dead.data ? (
            <DataTable
              caption="Events a subscriber failed on"
              data={dead.data}
              columns={deadColumns}
              empty="None: every event reached its subscribers."
            />
          ) : (
            <p aria-busy="true">Loading…</p>
          )}
        </section>
      ) : null}
      {can('jobs:read') ? (
        <>
          <ProblemNote message={jobs.isError ? problemMessage(jobs.error) : jobProblem} />
          <Done message={jobDone} />
          {jobs.data ? (
            <>
              <DataTable
                caption="Scheduled jobs"
                data={jobs.data.scheduled}
                columns={scheduledColumns}
                empty="No scheduled jobs."
              />
              <DataTable
                caption="Latest one-off jobs"
                data={jobs.data.queue}
                columns={can('events:manage') ? queueColumnsWithRetry(retryJob) : queueColumns}
                empty="No one-off jobs."
              />
            </>
          ) : (
            <p aria-busy="true">Loading…</p>
          )}
        </>
      ) : null}
    </Page>
  );
}
