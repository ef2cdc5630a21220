// Product import (POST /v1/admin/imports): which media type a file is sent as, which listed import is the one this
// page started, what the progress bar shows, and a fetch over XMLHttpRequest so the typed client's upload reports
// the bytes sent (fetch has no upload progress). The server reads the body as it applies batches, so the bytes sent
// track the rows applied; GET /v1/admin/imports adds the rows applied so far.
import type { paths } from '../api/schema.d.ts';
import { session } from '../auth/session.ts';

export type ImportStatus = paths['/v1/admin/imports/{id}']['get']['responses'][200]['content']['application/json'];
export type ImportMediaType = keyof paths['/v1/admin/imports']['post']['requestBody']['content'];

/** The media type for a file by its name (what the browser says of `.ndjson` varies): undefined when not importable. */
export function importMediaType(fileName: string): ImportMediaType | undefined {
  const dot = fileName.lastIndexOf('.');
  const ext = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  if (ext === 'csv') return 'text/csv';
  if (ext === 'ndjson' || ext === 'jsonl') return 'application/x-ndjson';
  return undefined;
}

/** The running import this page started: running, and not among the imports listed before the upload began. */
export function findRunning(items: readonly ImportStatus[], before: ReadonlySet<string>): ImportStatus | undefined {
  return items.find((i) => i.status === 'running' && !before.has(i.id));
}

/**
 * The rows a file holds, counted the way the importer reads it: NDJSON's non-blank lines; CSV's records after the
 * header (a newline inside quotes continues the record), blank lines skipped.
 */
export function countRows(text: string, type: ImportMediaType): number {
  const csv = type === 'text/csv';
  let rows = 0;
  let quoted = false;
  let filled = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (csv && c === '"') quoted = !quoted;
    if (c === '\n' && !quoted) {
      if (filled) rows++;
      filled = false;
    } else if (c !== '\r' && (csv || c?.trim())) filled = true;
  }
  if (filled) rows++;
  return csv ? Math.max(0, rows - 1) : rows;
}

export type Phase =
  | { kind: 'idle' }
  | { kind: 'uploading'; sent: number; size: number; rows: number; live: ImportStatus | undefined }
  | { kind: 'done'; result: ImportStatus }
  | { kind: 'failed' };

export interface ProgressView {
  /** Of 1: the rows read of the rows in the file. */
  value: number;
  text: string;
}

const bytes = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);
const count = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * What the progress bar and the line under it show. While the file goes up, the bar is the rows the running import
 * has read of the rows in the file (from GET /v1/admin/imports), and the line adds the bytes sent: a small file is
 * sent at once into the network's buffers, a large one as fast as the server applies its rows.
 */
export function progressView(phase: Phase): ProgressView | undefined {
  if (phase.kind === 'idle' || phase.kind === 'failed') return undefined;
  if (phase.kind === 'done') {
    const r = phase.result;
    const what = `${count(r.rowsOk, 'row', 'rows')} imported, ${r.rowsFailed.toLocaleString('en')} failed, ${count(r.productsChanged, 'product', 'products')} changed`;
    return { value: 1, text: r.status === 'completed' ? `Done: ${what}.` : `The import failed: ${what}.` };
  }
  const sent =
    phase.sent >= phase.size ? `Sent ${bytes(phase.size)}` : `Sent ${bytes(phase.sent)} of ${bytes(phase.size)}`;
  const live = phase.live;
  if (!live) return { value: 0, text: `${sent} · ${count(phase.rows, 'row', 'rows')} in the file` };
  return {
    value: phase.rows ? Math.min(1, live.rowsTotal / phase.rows) : 0,
    text: `${sent} · ${live.rowsTotal.toLocaleString('en')} of ${count(phase.rows, 'row', 'rows')} read: ${live.rowsOk.toLocaleString('en')} imported, ${live.rowsFailed.toLocaleString('en')} failed`,
  };
}

/** Response headers as XMLHttpRequest gives them (`name: value` lines). */
export function parseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return headers;
}

function send(
  request: Request,
  body: Blob,
  token: string | undefined,
  onProgress: (sent: number, size: number) => void,
) {
  return new Promise<Response>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    request.headers.forEach((value, name) => {
      if (name !== 'authorization') xhr.setRequestHeader(name, value);
    });
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.size);
    xhr.onload = () =>
      resolve(
        new Response(xhr.responseText, { status: xhr.status, headers: parseHeaders(xhr.getAllResponseHeaders()) }),
      );
    xhr.onerror = () => reject(new TypeError('The upload failed: the server could not be reached.'));
    xhr.send(body);
  });
}

/**
 * A fetch for one call of the typed client, sending over XMLHttpRequest with upload progress, signed in like the
 * client's own fetch (a 401 refreshes the session once and sends the file again).
 */
export function uploadFetch(onProgress: (sent: number, size: number) => void): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await request.blob();
    const token = session.accessToken();
    const res = await send(request, body, token, onProgress);
    if (res.status !== 401 || !token || !session.hasRefreshToken()) return res;
    const renewed = await session.refresh();
    return renewed ? send(request, body, renewed, onProgress) : res;
  };
}
