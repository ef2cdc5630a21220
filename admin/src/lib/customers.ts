// Customers as staff look them up: the API lists accounts (GET /v1/admin/users) and finds one by its exact email
// (`?email=`; emails are sealed at rest, so there is no partial match), so the search filters the accounts loaded by
// email or name, and a complete email is also looked up; staff accounts are listed in the staff section instead.

export interface Account {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  status: string;
  emailVerified: boolean;
  createdAt: string;
}

/** Customer accounts (no staff role) whose email or name contains every word of the search, case-insensitively. */
export function searchCustomers(accounts: readonly Account[], search: string): Account[] {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return accounts.filter((a) => {
    if (a.roles.length > 0) return false;
    const text = `${a.email} ${a.name ?? ''}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** Whether the search is a whole email address, worth an exact lookup by the API. */
export function looksLikeEmail(search: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(search.trim());
}

/** The accounts loaded that match, plus the one the API found by exact email (once), customers only. */
export function withExactMatch(matches: readonly Account[], exact: Account | undefined): Account[] {
  if (!exact || exact.roles.length > 0 || matches.some((a) => a.id === exact.id)) return [...matches];
  return [exact, ...matches];
}

/** What the page shows for an erased account's personal data (the API returns an empty email and no name). */
export function shownEmail(a: Pick<Account, 'email' | 'status'>): string {
  return a.status === 'erased' || a.email === '' ? '(erased)' : a.email;
}

/** The file name of a GDPR export: the person's email made safe for a file name, and the day. */
export function exportFileName(email: string, at: Date): string {
  const who = email
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '_');
  return `personal-data-${who}-${at.toISOString().slice(0, 10)}.json`;
}

/** An erasure record's progress as a sentence. */
export function erasureProgress(e: {
  status: string;
  stepsDone: string[];
  recordsErased: number;
  lastError: string | null;
}): string {
  const steps = e.stepsDone.length ? ` (${e.stepsDone.join(', ')})` : '';
  if (e.status === 'done') return `Erased: ${e.recordsErased} records${steps}.`;
  const error = e.lastError ? ` Last error: ${e.lastError}` : '';
  return `In progress: ${e.recordsErased} records so far${steps}; the resume job finishes it.${error}`;
}
