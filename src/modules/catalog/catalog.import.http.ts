// Bulk import routes: the body (CSV or NDJSON) is streamed straight into the importer, never buffered.
import { Type } from 'typebox';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { Count, DateTime, Id, Text } from '../../platform/http/schema-helpers.ts';
import type { App } from '../../platform/http/server.ts';
import type { Importer } from './catalog.import.ts';

const ImportSchema = Type.Object({
  id: Id({ examples: ['imp_01jd0000000000000000000000'] }),
  format: Type.Union([Type.Literal('csv'), Type.Literal('ndjson')]),
  status: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  rowsTotal: Count(),
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

const FORMATS: Record<string, 'csv' | 'ndjson'> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' };

export function registerImportRoutes(http: App, importer: Importer): void {
  http.register(async (scope) => {
    // Hand the raw request stream to the handler (the importer reads it record by record).
    scope.addContentTypeParser(Object.keys(FORMATS), (_req, payload, done) => done(null, payload));
    scope.post(
      '/v1/admin/imports',
      {
        // A large file streams for longer than REQUEST_TIMEOUT_MS: no request deadline (each batch is bounded).
        config: { access: access.permission('catalog:write'), deadline: false },
        schema: {
          tags: ['catalog'],
          summary:
            'Import products and variants from CSV (text/csv) or NDJSON (application/x-ndjson), upserting by SKU',
          description:
            'One row per variant. CSV columns: slug, name, brand, description, status, taxCategory (empty: unchanged), ' +
            'categories (slugs joined by |), sku, ' +
            'barcode, weightGrams, cost, attr:<name>, price:<CUR>, compareAt:<CUR> (amounts in minor units). ' +
            'Rows are applied in batches; row errors are reported and do not stop the import.',
          response: { 201: ImportSchema, 415: problemResponse('Send text/csv or application/x-ndjson') },
        },
      },
      async (req, reply) => {
        const type =
          String(req.headers['content-type'] ?? '')
            .split(';')[0]
            ?.trim() ?? '';
        const format = FORMATS[type] ?? 'csv';
        const result = await importer.run(req.ctx, format, req.body as AsyncIterable<Buffer>);
        return reply.code(201).send(result);
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
