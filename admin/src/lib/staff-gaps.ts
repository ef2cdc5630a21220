// The third slice's rules: a staff account's access state, audit-log entries in words, campaign usage, and the
// buy-X-get-Y and bundle fields of the promotion form turned into the API's body.

/** Whether an account may sign in (the API's `disabledAt`). */
export function accessState(u: { disabledAt?: string | null | undefined }): 'enabled' | 'disabled' {
  return u.disabledAt ? 'disabled' : 'enabled';
}

const ACTIONS: Record<string, string> = {
  'login.succeeded': 'Signed in',
  'login.failed': 'Sign-in failed',
  'login.locked_out': 'Sign-in locked',
  'login.refused_disabled': 'Sign-in refused: account disabled',
  'session.logged_out': 'Signed out',
  'session.refresh_reuse_detected': 'Refresh token reused: session ended',
  'password.reset': 'Password reset',
  'password.reset_sent_by_staff': 'Password reset sent by staff',
  'user.staff_created': 'Staff account created',
  'user.roles_changed': 'Roles changed',
  'user.disabled': 'Account disabled',
  'user.enabled': 'Account enabled',
  'user.exported_by_staff': 'Data exported by staff',
  'user.erased': 'Personal data erased',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
};

/** An audit action in words (an action this table does not know is shown as the API names it). */
export function auditActionText(action: string): string {
  return ACTIONS[action] ?? action;
}

/** The audit actions the filter offers (the API filters by any exact action name). */
export const AUDIT_ACTIONS = Object.keys(ACTIONS);

/**
 * Who acted: `staff <email or usr_…>`, `an API key (key_…)`, `the system`, or the kind as the API names it; `names`
 * gives the emails of the accounts the page knows (staff members) by id.
 */
export function auditActor(
  e: { actorKind: string; actorId: string | null },
  names: Readonly<Record<string, string>> = {},
): string {
  if (e.actorKind === 'system') return 'the system';
  if (e.actorKind === 'anonymous') return 'anonymous';
  if (e.actorKind === 'api_key') return `an API key${e.actorId ? ` (${e.actorId})` : ''}`;
  return e.actorId ? `${e.actorKind} ${names[e.actorId] ?? e.actorId}` : e.actorKind;
}

/** A role change's or a disable's detail in one line; other details as `key: value` pairs. */
export function auditDetail(detail: Record<string, unknown>): string {
  const list = (v: unknown) => (Array.isArray(v) && v.length ? v.join(', ') : 'none');
  if ('from' in detail && 'to' in detail) return `${list(detail.from)} → ${list(detail.to)}`;
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? list(v) : String(v)}`)
    .join('; ');
}

/** A campaign's usage: `3 of 100 used`, or `3 used (no limit)`. */
export function campaignUsage(c: { redemptions: number; usageLimit: number | null }): string {
  return c.usageLimit === null ? `${c.redemptions} used (no limit)` : `${c.redemptions} of ${c.usageLimit} used`;
}

export interface BundleItem {
  productId?: string;
  variantId?: string;
  quantity: number;
}

/**
 * Bundle items typed one per line as `<product or variant id> [× quantity]` (`prod_…` or `var_…`; `x`, `×` or `*`
 * before the quantity, 1 when absent). Returns the items, or the first line's problem.
 */
export function parseBundleItems(text: string): { items: BundleItem[] } | { problem: string } {
  const items: BundleItem[] = [];
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) return { problem: 'Enter at least one product or variant id.' };
  for (const [i, line] of lines.entries()) {
    const m = /^(\S+?)(?:\s*[x×*]\s*(\d{1,3}))?$/i.exec(line);
    const id = m?.[1] ?? '';
    const quantity = Number(m?.[2] ?? '1');
    if (!m || quantity < 1) return { problem: `Line ${i + 1}: write an id, then optionally × and a quantity.` };
    if (id.startsWith('var_')) items.push({ variantId: id, quantity });
    else if (id.startsWith('prod_')) items.push({ productId: id, quantity });
    else return { problem: `Line ${i + 1}: ${id} is neither a product (prod_…) nor a variant (var_…) id.` };
  }
  return { items };
}

/** A quantity field of buy X get Y: a whole number from 1 to 999, else undefined. */
export function quantityInput(value: string): number | undefined {
  const v = value.trim();
  if (!/^\d{1,3}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 ? n : undefined;
}

/** Product ids typed separated by commas, spaces or lines (the products a buy-X-get-Y applies to). */
export function idList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
