// A staff member's access: disable the account (it cannot sign in, its sessions end at once; its API keys are not
// touched) or enable it again, and send the storefront's password-reset email to it.
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useStaff } from '../auth/use-session.ts';
import { problemMessage } from '../lib/problem.ts';
import { accessState } from '../lib/staff-gaps.ts';
import { ConfirmButton, ProblemNote } from '../ui/kit.tsx';

export interface AccessAccount {
  id: string;
  email: string;
  disabledAt?: string | null | undefined;
}

export function AccessCell({
  user,
  onChanged,
}: {
  user: AccessAccount;
  onChanged: (message: string | undefined) => void;
}) {
  const me = useStaff();
  const [problem, setProblem] = useState<string>();
  if (me?.id === user.id) return <span>Enabled (you)</span>;
  const disabled = accessState(user) === 'disabled';
  const run = async (action: 'disable' | 'enable' | 'password-reset', message: string) => {
    setProblem(undefined);
    onChanged(undefined);
    const path = { params: { path: { id: user.id } } };
    const { response, error } =
      action === 'disable'
        ? await api.POST('/v1/admin/users/{id}/disable', path)
        : action === 'enable'
          ? await api.POST('/v1/admin/users/{id}/enable', path)
          : await api.POST('/v1/admin/users/{id}/password-reset', path);
    if (!response.ok) return setProblem(problemMessage(error));
    onChanged(message);
  };
  return (
    <div className="actions">
      <span>{disabled ? 'Disabled' : 'Enabled'}</span>
      {disabled ? (
        <button
          type="button"
          aria-label={`Enable ${user.email}`}
          onClick={() => run('enable', `${user.email} can sign in again.`)}
        >
          Enable
        </button>
      ) : (
        <>
          <ConfirmButton
            label={`Disable ${user.email}`}
            title={`Disable the account of ${user.email}?`}
            body="They are signed out everywhere at once and cannot sign in until the account is enabled again. Their roles stay; API keys they created keep working until revoked."
            confirmLabel="Disable account"
            onConfirm={() => run('disable', `${user.email} is disabled and signed out everywhere.`)}
          />
          <button
            type="button"
            aria-label={`Send password reset to ${user.email}`}
            onClick={() => run('password-reset', `A password reset email is on its way to ${user.email}.`)}
          >
            Send password reset
          </button>
        </>
      )}
      <ProblemNote message={problem} />
    </div>
  );
}
