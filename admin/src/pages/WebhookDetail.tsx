// One webhook endpoint: edit its URL, description and event types; disable or enable it; rotate its signing secret
// (the new one is shown once); delete it; and its delivery log with every attempt, and replay.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan } from '../auth/use-session.ts';
import { problemMessage } from '../lib/problem.ts';
import { endpointState, pickedEvents } from '../lib/webhooks.ts';
import { ConfirmButton, Done, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { WebhookDeliveries } from './WebhookDeliveries.tsx';
import { EndpointFields, type EndpointForm, SecretOnce, showEndpointProblem, useEventTypes } from './Webhooks.tsx';

export function WebhookDetail() {
  const { endpointId } = useParams({ from: '/shell/webhooks/$endpointId' });
  const can = useCan();
  const allowed = can('webhooks:manage');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [secret, setSecret] = useState<string>();
  const endpoint = useQuery({
    queryKey: ['webhook', endpointId],
    enabled: allowed,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/admin/webhooks/{id}', { params: { path: { id: endpointId } } });
      if (!data) throw error;
      return data;
    },
  });
  const types = useEventTypes(allowed);
  const form = useForm<EndpointForm>({ defaultValues: { url: '', description: '', all: false, events: [] } });
  const loaded = endpoint.data;
  useEffect(() => {
    if (!loaded) return;
    form.reset({
      url: loaded.url,
      description: loaded.description ?? '',
      all: loaded.events.includes('*'),
      events: loaded.events.filter((e) => e !== '*'),
    });
  }, [loaded, form]);

  if (!allowed) return <NoAccess />;
  if (endpoint.isError) return <ProblemNote message={problemMessage(endpoint.error)} />;
  const w = endpoint.data;
  if (!w) return <p aria-busy="true">Loading…</p>;

  const refresh = () => qc.invalidateQueries({ queryKey: ['webhook', endpointId] });
  const report = (ok: string | undefined, failed: unknown) => {
    setDone(ok);
    setProblem(ok ? undefined : problemMessage(failed));
  };
  const onSave = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const events = pickedEvents(v.all, v.events);
    if (!events) {
      form.setError('events', { message: 'Pick at least one event type.' });
      return;
    }
    const { data, error } = await api.PATCH('/v1/admin/webhooks/{id}', {
      params: { path: { id: endpointId } },
      body: { url: v.url.trim(), events, description: v.description.trim() || null },
    });
    if (!data) {
      setProblem(showEndpointProblem(form, error));
      return;
    }
    setDone('Endpoint saved.');
    await refresh();
  });
  const setEnabled = async (enabled: boolean) => {
    const { data, error } = await api.PATCH('/v1/admin/webhooks/{id}', {
      params: { path: { id: endpointId } },
      body: { enabled },
    });
    report(
      data ? (enabled ? 'Endpoint enabled.' : 'Endpoint disabled; pending deliveries cancelled.') : undefined,
      error,
    );
    await refresh();
  };
  const rotate = async () => {
    setSecret(undefined);
    const { data, error } = await api.POST('/v1/admin/webhooks/{id}/rotate-secret', {
      params: { path: { id: endpointId } },
    });
    if (data) setSecret(data.secret);
    const overlap = data?.previousSecretExpiresAt
      ? ` The previous secret keeps signing until ${new Date(data.previousSecretExpiresAt).toLocaleString()}.`
      : '';
    report(data ? `Secret rotated.${overlap}` : undefined, error);
    await refresh();
  };
  const remove = async () => {
    const { error, response } = await api.DELETE('/v1/admin/webhooks/{id}', { params: { path: { id: endpointId } } });
    if (!response.ok) {
      report(undefined, error);
      return;
    }
    await qc.invalidateQueries({ queryKey: ['webhooks'] });
    await navigate({ to: '/webhooks' });
  };

  return (
    <Page title={`Webhook endpoint ${w.url}`}>
      <p>
        <strong>{endpointState(w)}</strong> · {w.consecutiveFailures} failed attempt
        {w.consecutiveFailures === 1 ? '' : 's'} in a row
        {w.previousSecretExpiresAt
          ? ` · previous secret valid until ${new Date(w.previousSecretExpiresAt).toLocaleString()}`
          : ''}
      </p>
      <div className="inline">
        <button type="button" onClick={() => setEnabled(!w.enabled)}>
          {w.enabled ? 'Disable' : 'Enable'}
        </button>
        <ConfirmButton
          label="Rotate secret"
          title="Rotate the signing secret?"
          body="A new secret signs every delivery from now on; the receiver must be given it."
          confirmLabel="Rotate"
          onConfirm={rotate}
        />
        <ConfirmButton
          label="Delete endpoint"
          title="Delete this endpoint?"
          body="Its pending deliveries are cancelled and nothing more is sent to it."
          confirmLabel="Delete"
          onConfirm={remove}
        />
      </div>
      <ProblemNote message={problem} />
      <Done message={done} />
      {secret ? <SecretOnce what="New signing secret." secret={secret} /> : null}
      <form className="stack" noValidate onSubmit={onSave} aria-labelledby="edit-title">
        <h2 id="edit-title">Edit</h2>
        <EndpointFields form={form} types={types.data ?? []} />
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Save endpoint
        </button>
      </form>
      <WebhookDeliveries endpointId={endpointId} />
    </Page>
  );
}
