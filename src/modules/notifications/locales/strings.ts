// The shape of a locale's strings. Each string is a Handlebars template rendered with the message's data (so it
// may use `{{orderNumber}}`, `{{money totals.total}}`, `{{date expiresAt}}`); values are escaped in the HTML part.
import type { MessageKind } from '../kinds.ts';

export interface KindStrings {
  /** The subject line. */
  subject: string;
  heading: string;
  intro: string;
  /** The call to action's label (a button in HTML, `label: link` in text). */
  button?: string;
  /** Extra kind-specific strings, by name. */
  [key: string]: string | undefined;
}

export interface LocaleStrings {
  common: Record<
    | 'greeting'
    | 'greetingNamed'
    | 'signature'
    | 'item'
    | 'quantity'
    | 'amount'
    | 'subtotal'
    | 'discount'
    | 'shipping'
    | 'tax'
    | 'total'
    | 'shipTo'
    | 'orderLink'
    | 'footer',
    string
  >;
  kinds: Record<MessageKind, KindStrings>;
}
