// Golden tests of the rendered messages: the text part exactly as committed under golden/<kind>.<locale>.txt, the
// HTML by its key fragments; escaping of what people typed; money per locale; the retry schedule. No database.
// After an intended change of wording, regenerate the files with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redactAddresses, retryDelayMs } from '../../src/modules/notifications/dispatcher.ts';
import { MESSAGE_KINDS, type MessageKind } from '../../src/modules/notifications/kinds.ts';
import { createRenderer, formatMoney } from '../../src/modules/notifications/render.ts';
import { sampleParams } from '../../src/modules/notifications/samples.ts';
import type { ShopConfig } from '../../src/platform/config-messaging.ts';

const SHOP: ShopConfig = {
  name: 'Emporium Demo Shop',
  address: 'Example Street 1, 10115 Berlin, Germany',
  logoUrl: undefined,
  url: 'https://shop.example',
  defaultLocale: 'en',
};
const renderer = createRenderer(SHOP);
const GOLDEN: MessageKind[] = ['order_confirmation', 'order_shipped', 'password_reset', 'return_received', 'stock_low'];
/** What the HTML of each golden kind must show, besides the layout. */
const FRAGMENTS: Record<string, (locale: 'en' | 'de') => string[]> = {
  order_confirmation: (l) => [formatMoney({ amount: 3960, currency: 'EUR' }, l), 'Enamel mug', 'Main Street 1'],
  order_shipped: () => ['00340434161094042557', 'DHL', '2 × Enamel mug'],
  password_reset: () => ['href="https://shop.example/reset-password?token&#x3D;pr_sampletoken"'],
  return_received: (l) => [formatMoney({ amount: 1450, currency: 'EUR' }, l)],
  stock_low: () => ['var_01sample0000000000000000000'],
};
const file = (kind: string, locale: string) => new URL(`./golden/${kind}.${locale}.txt`, import.meta.url);

describe('rendered messages', () => {
  for (const kind of GOLDEN) {
    for (const locale of ['en', 'de'] as const) {
      it(`[REQ-NTF-010] ${kind} in ${locale}: the text part matches its golden file; the HTML has its key parts`, async () => {
        const params = sampleParams(kind, SHOP);
        const m = await renderer.render(kind, locale, params);
        const golden = `Subject: ${m.subject}\n\n${m.text}`;
        if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file(kind, locale))) {
          writeFileSync(file(kind, locale), golden);
        }
        expect(golden).toBe(readFileSync(file(kind, locale), 'utf8'));
        expect(m.html).toMatch(/^<!doctype html>/i);
        expect(m.html).toContain(`lang="${locale}"`);
        expect(m.html).toContain(`<title>${m.subject.replace(/&/g, '&amp;')}</title>`);
        expect(m.html).toContain('Emporium Demo Shop · Example Street 1, 10115 Berlin, Germany');
        for (const fragment of FRAGMENTS[kind]?.(locale) ?? []) expect(m.html).toContain(fragment);
      });
    }
  }

  it('[REQ-NTF-010] every kind renders in every locale, with its own subject line', async () => {
    for (const kind of MESSAGE_KINDS) {
      const subjects = new Set<string>();
      for (const locale of ['en', 'de'] as const) {
        const m = await renderer.render(kind, locale, sampleParams(kind, SHOP));
        expect(m.subject.length, `${kind} ${locale}`).toBeGreaterThan(5);
        expect(m.text).not.toContain('{{');
        expect(m.html).not.toContain('{{');
        subjects.add(m.subject);
      }
      expect(subjects.size, kind).toBe(2);
    }
  });

  it('[REQ-NTF-010] what people typed is escaped in the HTML and kept as typed in the text part', async () => {
    const params = { ...sampleParams('welcome', SHOP), name: '<script>alert("x")</script> & Co' };
    const m = await renderer.render('welcome', 'en', params);
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(m.text).toContain('Hello <script>alert("x")</script> & Co,');
  });

  it('[REQ-NTF-010] the logo, when configured, heads the HTML', async () => {
    const withLogo = createRenderer({ ...SHOP, logoUrl: 'https://cdn.example/logo.png' });
    const m = await withLogo.render('welcome', 'de', sampleParams('welcome', SHOP));
    expect(m.html).toContain('src="https://cdn.example/logo.png"');
    expect(m.html).toContain('alt="Emporium Demo Shop"');
  });

  it('[REQ-NTF-007] retries back off exponentially up to the cap; stored errors lose their addresses', () => {
    const mail = { retryBaseMs: 30_000, retryMaxDelayMs: 3_600_000 };
    expect([1, 2, 3, 7, 8, 11].map((n) => retryDelayMs(mail, n))).toEqual([
      30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
    expect(redactAddresses('550 5.1.1 <ann@example.com>: user unknown')).toBe('550 5.1.1 <[address]>: user unknown');
  });
});
