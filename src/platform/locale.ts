// The language of what the shop writes to a person (emails): negotiated once from the request's Accept-Language
// against the languages the shop has templates for, and stored with the account or order the request creates.
import { MAIL_LOCALES, type MailLocale } from './config-messaging.ts';

/** The first supported language the client accepts, by quality then order (`de-CH;q=0.9` → `de`); else undefined. */
export function negotiateLocale(acceptLanguage: string | undefined): MailLocale | undefined {
  if (!acceptLanguage || acceptLanguage.length > 1000) return undefined;
  const ranked = acceptLanguage
    .split(',')
    .slice(0, 50)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.find((r) => (MAIL_LOCALES as readonly string[]).includes(r.lang))?.lang as MailLocale | undefined;
}

/** A stored locale read back: a supported one, or undefined (the shop's default applies). */
export function supportedLocale(value: string | null | undefined): MailLocale | undefined {
  return value && (MAIL_LOCALES as readonly string[]).includes(value) ? (value as MailLocale) : undefined;
}
