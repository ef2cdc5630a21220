// Renders a message: subject, HTML and plain text in the recipient's language. The HTML comes from MJML templates
// (templates/<kind>.mjml inside templates/layout.mjml) compiled to HTML once per kind at first use — the compiled
// HTML keeps its Handlebars placeholders — and then filled per message by Handlebars, which escapes every value.
// The text part is templates/<kind>.txt.hbs inside layout.txt.hbs. Wording lives in locales/<locale>.ts: each
// string is itself a Handlebars template, rendered with the message's data by the `t` helper.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { MailLocale, ShopConfig } from '../../platform/config-messaging.ts';
import { currencyExponent, type Money } from '../../platform/money.ts';
import type { MessageKind } from './kinds.ts';
import { de } from './locales/de.ts';
import { en } from './locales/en.ts';
import type { LocaleStrings } from './locales/strings.ts';

export const STRINGS: Record<MailLocale, LocaleStrings> = { en, de };

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

export interface Renderer {
  render(kind: MessageKind, locale: MailLocale, params: Record<string, unknown>): Promise<RenderedMessage>;
  /** The subject line alone (the template list shows it with placeholders filled from sample data). */
  subject(kind: MessageKind, locale: MailLocale, params: Record<string, unknown>): Promise<string>;
}

const TEMPLATES = new URL('./templates/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, TEMPLATES), 'utf8');
/** `<!-- include:x -->` in an MJML file stands for templates/_x.mjml (MJML is assembled before it is compiled). */
const includes = (source: string) =>
  source.replace(/<!-- include:([a-z_]+) -->/g, (_m, name: string) => read(`_${name}.mjml`).trim());

type Root = { kind: MessageKind; locale: MailLocale } & Record<string, unknown>;
type HelperOptions = { data: { root: Root } };

/** Intl formatters are costly to build (about 1 % of a purchase's CPU when made per value): one per locale and currency. */
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<MailLocale, Intl.DateTimeFormat>();

export function formatMoney(m: Money, locale: MailLocale): string {
  const digits = currencyExponent(m.currency);
  const key = `${locale} ${m.currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: m.currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    moneyFormats.set(key, f);
  }
  return f.format(m.amount / 10 ** digits);
}

export function formatDate(iso: string, locale: MailLocale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'UTC',
    });
    dateFormats.set(locale, f);
  }
  return `${f.format(d)} UTC`;
}

/** One Handlebars environment: `escapeHtml` for HTML, not for text and subject lines. */
function environment(escapeHtml: boolean) {
  const hb = Handlebars.create();
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  const compile = (source: string) => {
    let tpl = compiled.get(source);
    if (!tpl) {
      tpl = hb.compile(source, { noEscape: !escapeHtml, strict: false });
      compiled.set(source, tpl);
    }
    return tpl;
  };
  hb.registerHelper('money', (m: Money | undefined, options: HelperOptions) =>
    m && typeof m.amount === 'number' ? formatMoney(m, options.data.root.locale) : '',
  );
  hb.registerHelper('date', (iso: string | undefined, options: HelperOptions) =>
    iso ? formatDate(iso, options.data.root.locale) : '',
  );
  hb.registerHelper('t', (key: string, options: HelperOptions) => {
    const root = options.data.root;
    const strings = STRINGS[root.locale];
    const source = strings.kinds[root.kind][key] ?? strings.common[key as keyof LocaleStrings['common']];
    if (source === undefined) throw new Error(`no string ${key} for ${root.kind} in ${root.locale}`);
    const out = compile(source)(root);
    // The string itself is ours; the values in it were escaped when it was rendered just now.
    return escapeHtml ? new hb.SafeString(out) : out;
  });
  return { hb, compile };
}

const tidyText = (text: string) =>
  `${text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;

export function createRenderer(shop: ShopConfig): Renderer {
  const html = environment(true);
  const text = environment(false);
  // Registered compiled: a partial registered as source is compiled again on every render that passes its own
  // partials (the layout's `body`), which was 3 % of a purchase's CPU.
  for (const p of ['order_items', 'shipping_address', 'item_list']) {
    text.hb.registerPartial(p, text.hb.compile(read(`_${p}.txt.hbs`), { noEscape: true }));
  }
  const textLayout = text.compile(read('layout.txt.hbs'));
  const textBodies = new Map<MessageKind, HandlebarsTemplateDelegate>();
  const htmlTemplates = new Map<MessageKind, Promise<HandlebarsTemplateDelegate>>();
  const shopView = { name: shop.name, address: shop.address, logoUrl: shop.logoUrl ?? null, url: shop.url };

  async function compileHtml(kind: MessageKind): Promise<HandlebarsTemplateDelegate> {
    const brand = read(shop.logoUrl ? '_brand_logo.mjml' : '_brand_name.mjml').trim();
    const source = read('layout.mjml')
      .replace('<!-- slot:brand -->', brand)
      .replace('<!-- slot:body -->', includes(read(`${kind}.mjml`)).trim());
    // Loaded on the first HTML message, not at start-up (the MJML compiler is about 0.3 s of a start's module loading).
    const { default: mjml2html } = await import('mjml');
    const out = await mjml2html(source, { validationLevel: 'strict', minify: false, keepComments: false });
    if (out.errors.length) throw new Error(`template ${kind}.mjml: ${out.errors.map((e) => e.message).join('; ')}`);
    return html.hb.compile(out.html);
  }
  const htmlTemplate = (kind: MessageKind) => {
    let p = htmlTemplates.get(kind);
    if (!p) {
      p = compileHtml(kind);
      // A failed compilation is not cached: the next message tries again (and fails the same way, visibly).
      p.catch(() => htmlTemplates.delete(kind));
      htmlTemplates.set(kind, p);
    }
    return p;
  };
  const textBody = (kind: MessageKind) => {
    let b = textBodies.get(kind);
    if (!b) {
      b = text.hb.compile(read(`${kind}.txt.hbs`), { noEscape: true });
      textBodies.set(kind, b);
    }
    return b;
  };

  const rootOf = (kind: MessageKind, locale: MailLocale, params: Record<string, unknown>): Root => ({
    ...params,
    kind,
    locale,
    shop: shopView,
  });
  const subject = (kind: MessageKind, locale: MailLocale, params: Record<string, unknown>) =>
    text
      .compile(STRINGS[locale].kinds[kind].subject)(rootOf(kind, locale, params))
      .replace(/\s+/g, ' ')
      .trim();

  return {
    subject: async (kind, locale, params) => subject(kind, locale, params),
    async render(kind, locale, params) {
      const root = { ...rootOf(kind, locale, params), subject: subject(kind, locale, params) };
      const body = textBody(kind);
      return {
        subject: root.subject,
        html: (await htmlTemplate(kind))(root),
        text: tidyText(textLayout(root, { partials: { body } })),
      };
    },
  };
}
