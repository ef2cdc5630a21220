import { describe, expect, it } from 'vitest';
import { negotiateLocale, supportedLocale } from './locale.ts';

describe('the recipient language from Accept-Language [REQ-KER-021]', () => {
  it('[REQ-KER-021] picks the first supported language by quality, then order', () => {
    expect(negotiateLocale('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(negotiateLocale('fr-FR, de;q=0.5, en;q=0.7')).toBe('en');
    expect(negotiateLocale('en-GB;q=0.2, DE-at;q=0.3')).toBe('de');
    expect(negotiateLocale('fr, it')).toBeUndefined();
    expect(negotiateLocale('de;q=0, en;q=0.1')).toBe('en');
    expect(negotiateLocale('*')).toBeUndefined();
  });

  it('[REQ-KER-021] ignores missing, malformed and oversized headers', () => {
    expect(negotiateLocale(undefined)).toBeUndefined();
    expect(negotiateLocale('')).toBeUndefined();
    expect(negotiateLocale(';;;,,,q=1')).toBeUndefined();
    expect(negotiateLocale(`${'x,'.repeat(600)}de`)).toBeUndefined();
    expect(negotiateLocale('de;q=abc')).toBe('de');
  });

  it('[REQ-KER-021] a stored value reads back only when supported', () => {
    expect(supportedLocale('de')).toBe('de');
    expect(supportedLocale('fr')).toBeUndefined();
    expect(supportedLocale(null)).toBeUndefined();
  });
});
