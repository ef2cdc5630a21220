// Webhooks: the endpoints deliveries go to (URL, event types, state, failures), and a new endpoint, whose signing
// secret is shown once.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { describeEvents, endpointState, pickedEvents } from '../lib/webhooks.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';

interface Row {
  id: string;
  url: string;
  events: string;
  state: string;
  failures: number;
}
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('url', {
    header: 'URL',
    cell: (c) => (
      <Link to="/webhooks/$endpointId" params={{ endpointId: c.row.original.id }}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('events', { header: 'Event types' }),
  col.accessor('state', { header: 'State' }),
  col.accessor('failures', { header: 'Failures in a row' }),
];

export function useEventTypes(enabled: boolean) {
  return useQuery({
    queryKey: ['webhooks', 'event-types'],
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/webhooks/event-types');
      if (!data) throw error;
      return data.map((t) => ({ type: t.type, description: t.description }));
    },
  });
}

export interface EndpointForm {
  url: string;
  description: string;
  all: boolean;
  events: string[];
}

/** URL, description and the event types (every one, or those ticked). */
export function EndpointFields(props: {
  form: ReturnType<typeof useForm<EndpointForm>>;
  types: { type: string; description: string }[];
}) {
  const { form, types } = props;
  const e = form.formState.errors;
  const all = form.watch('all');
  return (
    <>
      <div className="row">
        <Field label="URL" hint="https://…, where deliveries are POSTed" error={e.url?.message}>
          {(a) => <input {...a} type="url" size={48} {...form.register('url', { required: 'Enter a URL.' })} />}
        </Field>
        <Field label="Description" error={e.description?.message}>
          {(a) => <input {...a} {...form.register('description')} />}
        </Field>
      </div>
      <fieldset aria-describedby={e.events?.message ? 'events-error' : undefined}>
        <legend>Event types</legend>
        <label className="check">
          <input type="checkbox" {...form.register('all')} /> Every event type (also ones added later)
        </label>
        {all ? null : (
          <div className="checks">
            {types.map((t) => (
              <label key={t.type} className="check" title={t.description}>
                <input type="checkbox" value={t.type} {...form.register('events')} /> {t.type}
              </label>
            ))}
          </div>
        )}
        {e.events?.message ? (
          <span id="events-error" className="field-error">
            {e.events.message}
          </span>
        ) : null}
      </fieldset>
    </>
  );
}

/** Puts a problem's field errors on the endpoint form; answers what belongs to the form as a whole. */
export function showEndpointProblem(form: ReturnType<typeof useForm<EndpointForm>>, error: unknown) {
  const { fields, form: rest } = splitProblem(
    error,
    (n) => ['url', 'description'].includes(n) || n.startsWith('events'),
  );
  for (const [n, message] of Object.entries(fields)) {
    form.setError(n.startsWith('events') ? 'events' : (n as 'url' | 'description'), { message });
  }
  return rest;
}

export function Webhooks() {
  const can = useCan();
  const qc = useQueryClient();
  const allowed = can('webhooks:manage');
  const [problem, setProblem] = useState<string>();
  const [secret, setSecret] = useState<{ url: string; secret: string }>();
  const list = useQuery({
    queryKey: ['webhooks'],
    enabled: allowed,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/webhooks', { params: { query: { limit: 100 } } });
      if (!data) throw error;
      return data.items;
    },
  });
  const types = useEventTypes(allowed);
  const form = useForm<EndpointForm>({ defaultValues: { url: '', description: '', all: false, events: [] } });
  if (!allowed) return <NoAccess />;

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setSecret(undefined);
    const events = pickedEvents(v.all, v.events);
    if (!events) {
      form.setError('events', { message: 'Pick at least one event type.' });
      return;
    }
    const description = v.description.trim();
    const { data, error } = await api.POST('/v1/admin/webhooks', {
      body: { url: v.url.trim(), events, ...(description ? { description } : {}) },
    });
    if (!data) {
      setProblem(showEndpointProblem(form, error));
      return;
    }
    setSecret({ url: data.url, secret: data.secret });
    form.reset();
    await qc.invalidateQueries({ queryKey: ['webhooks'] });
  });

  const rows: Row[] = (list.data ?? []).map((w) => ({
    id: w.id,
    url: w.url,
    events: describeEvents(w.events),
    state: endpointState(w),
    failures: w.consecutiveFailures,
  }));
  return (
    <Page title="Webhooks">
      <ProblemNote message={list.isError ? problemMessage(list.error) : undefined} />
      {list.data ? (
        <DataTable caption="Webhook endpoints" data={rows} columns={columns} empty="No endpoints yet." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">New endpoint</h2>
        <ProblemNote message={types.isError ? problemMessage(types.error) : undefined} />
        <EndpointFields form={form} types={types.data ?? []} />
        <ProblemNote message={problem} />
        {secret ? <SecretOnce what={`Endpoint ${secret.url} created.`} secret={secret.secret} /> : null}
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Create endpoint
        </button>
      </form>
    </Page>
  );
}

/** A signing secret, shown this once (the API never shows it again). */
export function SecretOnce(props: { what: string; secret: string }) {
  return (
    <div role="status" className="done">
      <p>{props.what} Copy the signing secret now; it is not shown again:</p>
      <p>
        <code data-testid="webhook-secret">{props.secret}</code>
      </p>
    </div>
  );
}
