import { afterEach, describe, expect, it, vi } from 'vitest';
import { session } from '../auth/session.ts';
import {
  countRows,
  findRunning,
  type ImportStatus,
  importMediaType,
  parseHeaders,
  progressView,
  uploadFetch,
} from './imports.ts';

const status = (over: Partial<ImportStatus>): ImportStatus => ({
  id: 'imp_1',
  format: 'csv',
  status: 'running',
  rowsTotal: 0,
  rowsOk: 0,
  rowsFailed: 0,
  productsChanged: 0,
  errors: [],
  createdAt: '2026-03-01T10:00:00.000Z',
  finishedAt: null,
  ...over,
});

/** A stand-in for the browser's XMLHttpRequest: answers each send with the next status, reporting the upload. */
class FakeXhr {
  static answers: number[] = [];
  static sent: { auth: string | undefined; type: string | undefined; body: string }[] = [];
  upload: { onprogress?: (e: { loaded: number; total: number; lengthComputable: boolean }) => void } = {};
  onload?: () => void;
  onerror?: () => void;
  status = 0;
  responseText = '';
  private headers: Record<string, string> = {};
  open() {}
  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  getAllResponseHeaders() {
    return 'content-type: application/json\r\nx-request-id: r1\r\n';
  }
  async send(body: Blob) {
    const text = await body.text();
    FakeXhr.sent.push({ auth: this.headers.authorization, type: this.headers['content-type'], body: text });
    this.upload.onprogress?.({ loaded: body.size, total: body.size, lengthComputable: true });
    this.status = FakeXhr.answers.shift() ?? 500;
    this.responseText = JSON.stringify(this.status === 201 ? status({ status: 'completed' }) : { detail: 'no' });
    this.onload?.();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('product import', () => {
  it('[REQ-ADM-070] a file is sent as CSV or NDJSON by its extension; anything else is refused', () => {
    expect(importMediaType('products.CSV')).toBe('text/csv');
    expect(importMediaType('feed.ndjson')).toBe('application/x-ndjson');
    expect(importMediaType('feed.jsonl')).toBe('application/x-ndjson');
    for (const bad of ['products.xlsx', 'csv', 'products.csv.zip', '']) expect(importMediaType(bad)).toBeUndefined();
  });

  it('[REQ-ADM-070] the running import is the one that was not listed before the upload', () => {
    const older = status({ id: 'imp_old' });
    const mine = status({ id: 'imp_new', rowsOk: 500 });
    const finished = status({ id: 'imp_done', status: 'completed' });
    expect(findRunning([finished, mine, older], new Set(['imp_old', 'imp_done']))?.id).toBe('imp_new');
    expect(findRunning([finished, older], new Set(['imp_old']))).toBeUndefined();
  });

  it('[REQ-ADM-070] the rows of a file are counted as the importer reads them', () => {
    const csv = 'slug,name\r\na,"two\nlines"\r\n\r\nb,"say ""hi"""\nc,x';
    expect(countRows(csv, 'text/csv')).toBe(3);
    expect(countRows('slug,name\n', 'text/csv')).toBe(0);
    expect(countRows('', 'text/csv')).toBe(0);
    expect(countRows('{"a":1}\n\n  \n{"b":"x\\n"}\n{not json', 'application/x-ndjson')).toBe(3);
  });

  it('[REQ-ADM-070] the progress bar is the rows read of the rows in the file, with the bytes sent, then the result', () => {
    expect(progressView({ kind: 'idle' })).toBeUndefined();
    expect(progressView({ kind: 'failed' })).toBeUndefined();
    const up = { kind: 'uploading', size: 2048, rows: 40_000 } as const;
    expect(progressView({ ...up, sent: 1024, live: undefined })).toEqual({
      value: 0,
      text: 'Sent 1.0 KB of 2.0 KB · 40,000 rows in the file',
    });
    const live = status({ rowsTotal: 10_000, rowsOk: 9_998, rowsFailed: 2 });
    expect(progressView({ ...up, sent: 2048, live })).toEqual({
      value: 0.25,
      text: 'Sent 2.0 KB · 10,000 of 40,000 rows read: 9,998 imported, 2 failed',
    });
    expect(progressView({ ...up, size: 3 * 1024 * 1024, sent: 1024 * 1024, live })?.text).toMatch(
      /^Sent 1\.0 MB of 3\.0 MB · /,
    );
    // An estimate below what the server read (a quoted newline counted differently) never overfills the bar.
    expect(progressView({ ...up, rows: 5_000, sent: 2048, live })?.value).toBe(1);
    const result = status({ status: 'completed', rowsOk: 1, rowsFailed: 2, productsChanged: 1 });
    expect(progressView({ kind: 'done', result })).toEqual({
      value: 1,
      text: 'Done: 1 row imported, 2 failed, 1 product changed.',
    });
    expect(progressView({ kind: 'done', result: { ...result, status: 'failed', productsChanged: 10_000 } })?.text).toBe(
      'The import failed: 1 row imported, 2 failed, 10,000 products changed.',
    );
  });

  it('[REQ-ADM-070] the upload goes over XMLHttpRequest with the token, reports progress, and refreshes once on a 401', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    FakeXhr.sent = [];
    FakeXhr.answers = [401, 201];
    let token = 'old';
    vi.spyOn(session, 'accessToken').mockImplementation(() => token);
    vi.spyOn(session, 'hasRefreshToken').mockReturnValue(true);
    const refresh = vi.spyOn(session, 'refresh').mockImplementation(async () => {
      token = 'new';
      return token;
    });
    const progress: [number, number][] = [];
    const send = uploadFetch((sent, size) => progress.push([sent, size]));
    const res = await send(
      new Request('http://localhost/v1/admin/imports', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'slug,sku\na,b\n',
      }),
    );
    expect(res.status).toBe(201);
    expect((await res.json()).status).toBe('completed');
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(FakeXhr.sent).toEqual([
      { auth: 'Bearer old', type: 'text/csv', body: 'slug,sku\na,b\n' },
      { auth: 'Bearer new', type: 'text/csv', body: 'slug,sku\na,b\n' },
    ]);
    expect(progress).toEqual([
      [13, 13],
      [13, 13],
    ]);
  });

  it('[REQ-ADM-070] response headers are read from XMLHttpRequest lines', () => {
    const h = parseHeaders('content-type: application/problem+json\r\nx-ratelimit-limit: 100\r\n');
    expect([h.get('content-type'), h.get('X-RateLimit-Limit')]).toEqual(['application/problem+json', '100']);
  });
});
