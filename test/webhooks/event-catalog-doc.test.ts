// docs/webhooks.md carries the event catalog; this fails when it differs from the live one (GET
// /v1/admin/webhooks/event-types). Run with UPDATE_WEBHOOK_DOCS=1 to rewrite the section.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withCatalog } from '../../src/modules/webhooks/event-catalog.markdown.ts';

const DOC = new URL('../../docs/webhooks.md', import.meta.url);

describe('event catalog in docs/webhooks.md', () => {
  it('[REQ-WHK-009] the documented catalog is the live catalog', () => {
    const doc = readFileSync(DOC, 'utf8');
    const fresh = withCatalog(doc);
    if (process.env.UPDATE_WEBHOOK_DOCS === '1' && fresh !== doc) writeFileSync(DOC, fresh);
    else
      expect(
        doc,
        'docs/webhooks.md is stale: run UPDATE_WEBHOOK_DOCS=1 npx vitest run test/webhooks/event-catalog-doc.test.ts',
      ).toBe(fresh);
  });
});
