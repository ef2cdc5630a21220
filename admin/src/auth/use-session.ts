import { useSyncExternalStore } from 'react';
import { can } from '../lib/permissions.ts';
import { type StaffUser, session } from './session.ts';

export function useStaff(): StaffUser | undefined {
  return useSyncExternalStore(session.subscribe, session.user);
}

/** Whether the signed-in staff member holds a permission. */
export function useCan(): (permission: string) => boolean {
  const user = useStaff();
  return (permission) => Boolean(user && can(user.permissions, permission));
}
