// Staff users and roles: the accounts holding a staff role, create one with a role and a first password, change a
// member's role, remove a member's access (roles emptied), disable or enable an account and send it a password reset
// (StaffAccess). API keys and the audit log below.
import { useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { type FieldPath, useForm } from 'react-hook-form';
import { api } from '../api/client.ts';
import { useCan, useStaff } from '../auth/use-session.ts';
import type { Account } from '../lib/customers.ts';
import { problemMessage, splitProblem } from '../lib/problem.ts';
import { isStaffRole, roleLabel, STAFF_ROLES, type StaffRole, staffOnly } from '../lib/staff.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { ConfirmButton, Done, Field, NoAccess, Page, ProblemNote } from '../ui/kit.tsx';
import { useAccounts } from './Customers.tsx';
import { AccessCell } from './StaffAccess.tsx';
import { ApiKeys } from './StaffApiKeys.tsx';
import { AuditLog } from './StaffAuditLog.tsx';

interface StaffForm {
  email: string;
  name: string;
  password: string;
  role: StaffRole;
}

export function Staff() {
  const can = useCan();
  // The same cached list as the staff table: the audit log's account field suggests each member's id by email.
  const accounts = useAccounts(can('users:manage'));
  const members = staffOnly(accounts.data?.pages.flatMap((p) => p.items) ?? []);
  return (
    <Page title="Staff and API keys">
      {can('users:manage') ? <StaffUsers /> : null}
      {can('api_keys:manage') ? <ApiKeys /> : null}
      {can('audit:read') ? <AuditLog subjectIds={Object.fromEntries(members.map((m) => [m.email, m.id]))} /> : null}
      {!can('users:manage') && !can('api_keys:manage') && !can('audit:read') ? <NoAccess /> : null}
    </Page>
  );
}

function RoleCell({ user, onChanged }: { user: Account; onChanged: (message: string | undefined) => void }) {
  const me = useStaff();
  const current = user.roles.find(isStaffRole) ?? 'support';
  const [role, setRole] = useState<StaffRole>(current);
  const [problem, setProblem] = useState<string>();
  if (me?.id === user.id) return <span>{user.roles.map(roleLabel).join(', ')} (you)</span>;
  const put = async (roles: StaffRole[], message: string) => {
    setProblem(undefined);
    onChanged(undefined);
    const { data, error } = await api.PUT('/v1/admin/users/{id}/roles', {
      params: { path: { id: user.id } },
      body: { roles },
    });
    if (!data) return setProblem(problemMessage(error));
    onChanged(message);
  };
  return (
    <div className="actions">
      <select
        aria-label={`Role of ${user.email}`}
        value={role}
        onChange={(e) => {
          const next = e.target.value;
          if (isStaffRole(next)) setRole(next);
        }}
      >
        {STAFF_ROLES.map((r) => (
          <option key={r} value={r}>
            {roleLabel(r)}
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={user.roles.length === 1 && role === current}
        aria-label={`Save role of ${user.email}`}
        onClick={() => put([role], `${user.email} is now ${roleLabel(role)}.`)}
      >
        Save role
      </button>
      <ConfirmButton
        label={`Remove access of ${user.email}`}
        title={`Remove the staff access of ${user.email}?`}
        body="Their roles are removed: they can no longer use the dashboard or the staff API. Give them a role again to restore it."
        confirmLabel="Remove access"
        onConfirm={() => put([], `${user.email} no longer has staff access.`)}
      />
      <ProblemNote message={problem} />
    </div>
  );
}

function StaffUsers() {
  const qc = useQueryClient();
  const accounts = useAccounts(true);
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const form = useForm<StaffForm>({ defaultValues: { email: '', name: '', password: '', role: 'support' } });
  const changed = async (message: string | undefined) => {
    // The list is read again first, so the message and the list it speaks of show together.
    if (message) await qc.invalidateQueries({ queryKey: ['accounts'] });
    setDone(message);
  };
  const col = createColumnHelper<Account>();
  const columns = [
    col.accessor('email', { header: 'Email' }),
    col.accessor('name', { header: 'Name', cell: (c) => c.getValue() ?? '' }),
    col.accessor('createdAt', { header: 'Since', cell: (c) => new Date(c.getValue()).toLocaleDateString() }),
    col.display({ id: 'role', header: 'Role', cell: (c) => <RoleCell user={c.row.original} onChanged={changed} /> }),
    col.display({
      id: 'access',
      header: 'Access',
      cell: (c) => <AccessCell user={c.row.original} onChanged={changed} />,
    }),
  ];
  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(undefined);
    setDone(undefined);
    const { data, error } = await api.POST('/v1/admin/users', {
      body: {
        email: v.email.trim(),
        password: v.password,
        ...(v.name.trim() ? { name: v.name.trim() } : {}),
        roles: [v.role],
      },
    });
    if (!data) {
      const known = ['email', 'name', 'password'];
      const { fields, form: rest } = splitProblem(error, (n) => known.includes(n) || n.startsWith('roles'));
      for (const [n, message] of Object.entries(fields)) {
        form.setError((n.startsWith('roles') ? 'role' : n) as FieldPath<StaffForm>, { message });
      }
      return setProblem(rest);
    }
    form.reset();
    await qc.invalidateQueries({ queryKey: ['accounts'] });
    setDone(`${data.email} can sign in as ${data.roles.map(roleLabel).join(', ')}.`);
  });
  const rows = staffOnly(accounts.data?.pages.flatMap((p) => p.items) ?? []);
  const e = form.formState.errors;
  return (
    <section aria-labelledby="staff-title" className="stack">
      <h2 id="staff-title">Staff</h2>
      <ProblemNote message={accounts.isError ? problemMessage(accounts.error) : undefined} />
      {accounts.data ? (
        <DataTable caption="Staff members and their roles" data={rows} columns={columns} empty="No staff." />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
      {accounts.hasNextPage ? (
        <button type="button" disabled={accounts.isFetchingNextPage} onClick={() => accounts.fetchNextPage()}>
          Load more accounts
        </button>
      ) : null}
      <Done message={done} />
      <form className="stack" noValidate onSubmit={onSubmit} aria-labelledby="staff-form-title">
        <h3 id="staff-form-title">Add a staff member</h3>
        <div className="row">
          <Field label="Staff email" error={e.email?.message}>
            {(a) => <input {...a} type="email" {...form.register('email', { required: 'Enter an email.' })} />}
          </Field>
          <Field label="Staff name" error={e.name?.message}>
            {(a) => <input {...a} {...form.register('name')} />}
          </Field>
          <Field label="First password" hint="Tell them to change it" error={e.password?.message}>
            {(a) => (
              <input
                {...a}
                type="password"
                autoComplete="new-password"
                {...form.register('password', { required: 'Enter a password.' })}
              />
            )}
          </Field>
          <Field label="Role" error={e.role?.message}>
            {(a) => (
              <select {...a} {...form.register('role')}>
                {STAFF_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {roleLabel(r)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ProblemNote message={problem} />
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          Add staff member
        </button>
      </form>
    </section>
  );
}
