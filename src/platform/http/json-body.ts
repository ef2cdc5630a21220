// How request bodies are read: JSON is UTF-8 (RFC 8259 §8.1) and arrives uncompressed.
// - The bytes are decoded strictly: Fastify's own parser decoded invalid UTF-8 into U+FFFD, so `Jos\xe9` was stored
//   as "Jos�". Now 400 `request.malformed_json`.
// - A JSON content type naming another charset (`charset=iso-8859-1`) → 415 `request.unsupported_media_type`.
// - A body with a Content-Encoding other than identity (gzip, br, …) → 415 with `Accept-Encoding: identity`
//   (RFC 9110 §15.5.16); it used to reach the JSON parser and fail as malformed JSON.
import { AppError } from '../errors.ts';
import type { App } from './app-type.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const unsupported = (detail: string, headers?: Record<string, string>) =>
  new AppError(415, 'request.unsupported_media_type', 'Unsupported media type', {
    detail,
    ...(headers ? { headers } : {}),
  });

/** The charset parameter of a content type, lower-cased and unquoted; undefined when there is none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return m ? (m[2] ?? '').toLowerCase() : undefined;
}

/** Whether a body was sent with a content coding other than identity. */
function encodedBody(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  return codings.length > 0 ? codings.join(', ') : undefined;
}

export function installJsonBody(app: App): void {
  const parse = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(unsupported(`JSON must be encoded as UTF-8 (got charset=${charset.slice(0, 40)}).`), undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(
        new AppError(400, 'request.malformed_json', 'Malformed JSON', { detail: 'The body is not valid UTF-8.' }),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });

  // Before any parser reads the body (preParsing runs for every route, JSON or not): a callback, not an async hook,
  // and the header looked at first, since nearly every request has none.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const { headers } = request;
    const coding = encodedBody(headers['content-encoding']);
    if (coding && (headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0)) {
      done(
        unsupported(`Content-Encoding ${coding.slice(0, 40)} is not supported; send the body uncompressed.`, {
          'accept-encoding': 'identity',
        }),
      );
      return;
    }
    done(null, payload);
  });
}
