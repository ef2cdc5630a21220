// Single-use secrets in mail. A password reset link carries a token that sets the account's password (whoever holds
// it takes the account over); an email verification link one that proves the address. Such a token is for the
// recipient's mailbox only: the local mail outbox stores the mail with it replaced by `[redacted]`, and the admin API
// answers every copy so (rows written before this rule too), whoever asks — support and admins alike. In development
// without SMTP_URL the dispatcher logs the link instead, for the developer trying the flow locally (dispatcher.ts).
import type { MessageKind } from './kinds.ts';

export const REDACTED = '[redacted]';

/**
 * The kinds whose mail carries a single-use secret, and the parameter holding the link with it. A new kind with a
 * magic, invite or reset link belongs here (test/notifications/outbox-secrets.test.ts fails while its sample link
 * with a `token=` is not listed).
 */
export const SECRET_LINKS: Readonly<Partial<Record<MessageKind, string>>> = {
  password_reset: 'link',
  email_verification: 'link',
};

export const carriesSecret = (kind: string): boolean => Object.hasOwn(SECRET_LINKS, kind);

/** The link with the single-use secret of a message of this kind, from its parameters (undefined: none). */
export function secretLinkOf(kind: MessageKind, params: Record<string, unknown>): string | undefined {
  const name = SECRET_LINKS[kind];
  const link = name ? params[name] : undefined;
  return typeof link === 'string' ? link : undefined;
}

/** The secret values of a link: its query parameters' values (the token). */
function secretsOfLink(link: string): string[] {
  try {
    return [...new URL(link).searchParams.values()].filter((v) => v.length > 0);
  } catch {
    return [];
  }
}

// A `token` query parameter however the mail writes it (HTML escapes `=` as `&#x3D;`): the net under the exact
// replacement, and all there is for a stored copy whose parameters are not at hand.
const TOKEN_PARAM = /(\btoken(?:=|&#x3D;|&#61;|%3D))[^\s"'<>&]+/gi;

/** The text with every secret of `link` (as typed and URL-encoded) and any `token=` value replaced by [redacted]. */
export function redactText(text: string, link?: string): string {
  let out = text;
  for (const secret of link ? secretsOfLink(link) : []) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED);
  }
  return out.replace(TOKEN_PARAM, `$1${REDACTED}`);
}

/** A mail's parts with its single-use secret redacted, for a kind that carries one; unchanged otherwise. */
export function redactMail<T extends { subject: string; text: string; html: string }>(
  kind: MessageKind,
  mail: T,
  link?: string,
): T {
  if (!carriesSecret(kind)) return mail;
  return {
    ...mail,
    subject: redactText(mail.subject, link),
    text: redactText(mail.text, link),
    html: redactText(mail.html, link),
  };
}
