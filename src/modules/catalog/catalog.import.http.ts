// Bulk import routes: the body (CSV or NDJSON) is streamed straight into the importer, never buffered.
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { Count, DateTime, Id, List, Text } from '../../platform/http/schema-helpers.ts';
import type { App } from '../../platform/http/server.ts';
import type { Importer } from './catalog.import.ts';
import { CSV_EXAMPLE, IMPORT_DESCRIPTION, NDJSON_EXAMPLE } from './catalog.import-columns.ts';

const ImportSchema = Type.Object({
  id: Id({ examples: ['imp_01jd0000000000000000000000'] }),
  format: Type.Union([Type.Literal('csv'), Type.Literal('ndjson')]),
  status: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  rowsTotal: Count({ description: 'Rows read so far (all of them once the import is finished)' }),
  rowsOk: Count(),
  rowsFailed: Count(),
  productsChanged: Count({ description: 'Products whose data actually changed (0 on an identical re-import)' }),
  errors: Type.Array(Type.Object({ line: Count(), message: Text(1000) }), {
    maxItems: 100,
    description: 'The first 100 row errors',
  }),
  createdAt: DateTime(),
  finishedAt: Type.Union([DateTime(), Type.Null()]),
});

/** The most a body may carry (bytes): a larger Content-Length is refused up front, a longer stream fails the import. */
export const IMPORT_MAX_BYTES = 1_073_741_824;

const FORMATS: Record<string, 'csv' | 'ndjson'> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' };

const body = (description: string, example: string) => ({
  schema: Type.String({ maxLength: IMPORT_MAX_BYTES, description, examples: [example] }),
});

/** Passes the stream on, failing it once it has carried more than `max` bytes (memory stays one chunk). */
export async function* capped(stream: AsyncIterable<Buffer | string>, max: number): AsyncGenerator<Buffer | string> {
  let seen = 0;
  for await (const chunk of stream) {
    seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (seen > max) throw new Error(`the body exceeds ${max} bytes`);
    yield chunk;
  }
}

const ListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 100, default: 20 })) },
  { additionalProperties: false },
);

export function registerImportRoutes(http: App, importer: Importer): void {
  http.register(async (scope) => {
    // Hand the raw request stream to the handler (the importer reads it record by record).
    scope.addContentTypeParser(Object.keys(FORMATS), (_req, payload, done) => done(null, payload));
    scope.post(
      '/v1/admin/imports',
      {
        // A large file streams for longer than REQUEST_TIMEOUT_MS: no request deadline (each batch is bounded).
        config: { access: access.permission('catalog:write'), deadline: false },
        // The body is declared (a CSV or NDJSON text) but arrives as the request stream, which the importer reads
        // and checks record by record (bad records are row errors): nothing to validate before the handler.
        validatorCompiler: () => () => true,
        schema: {
          tags: ['catalog'],
          summary:
            'Import products and variants from CSV (text/csv) or NDJSON (application/x-ndjson), upserting by SKU',
          description: IMPORT_DESCRIPTION,
          body: {
            content: {
              'text/csv': body('CSV with a header row (RFC 4180), one row per variant', CSV_EXAMPLE),
              'application/x-ndjson': body('One JSON object per line, one per variant', NDJSON_EXAMPLE),
            },
          },
          response: {
            201: ImportSchema,
            401: problemResponse('Not authenticated'),
            403: problemResponse('Missing permission'),
            413: problemResponse('catalog.import_too_large: the body is larger than 1 GiB'),
            415: problemResponse('Send text/csv or application/x-ndjson'),
          },
        },
      },
      async (req, reply) => {
        const type =
          String(req.headers['content-type'] ?? '')
            .split(';')[0]
            ?.trim() ?? '';
        const format = FORMATS[type];
        // Without a body (no content type) nothing was parsed: there is no stream to import.
        if (!format) {
          throw new AppError(415, 'request.unsupported_media_type', 'Unsupported media type', {
            detail: 'Send the file as text/csv or application/x-ndjson.',
          });
        }
        if (Number(req.headers['content-length'] ?? 0) > IMPORT_MAX_BYTES) {
          throw new AppError(413, 'catalog.import_too_large', 'Payload too large', {
            detail: `An import may carry at most ${IMPORT_MAX_BYTES} bytes; split the file.`,
          });
        }
        const stream = capped(req.body as AsyncIterable<Buffer | string>, IMPORT_MAX_BYTES);
        const result = await importer.run(req.ctx, format, stream);
        return reply.code(201).send(result);
      },
    );
    scope.get(
      '/v1/admin/imports',
      {
        config: { access: access.permission('catalog:read') },
        schema: {
          tags: ['catalog'],
          summary: 'The latest imports, newest first, a running one with the rows applied so far',
          querystring: ListQuery,
          response: {
            200: Type.Object({ items: List(ImportSchema, 100) }),
            400: problemResponse('request.validation_failed'),
            401: problemResponse('Not authenticated'),
            403: problemResponse('Missing permission'),
          },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return { items: await importer.list((req.query as { limit?: number }).limit ?? 20) };
      },
    );
    scope.get(
      '/v1/admin/imports/:id',
      {
        config: { access: access.permission('catalog:read') },
        schema: {
          tags: ['catalog'],
          summary: 'Progress and row errors of an import',
          params: Type.Object({ id: Id() }),
          response: { 200: ImportSchema, 404: problemResponse('No such import') },
        },
      },
      async (req) => importer.get((req.params as { id: string }).id),
    );
  });
}
