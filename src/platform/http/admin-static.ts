// The admin dashboard (admin/, built by `npm run build:admin` into admin/dist) served at /admin: hashed assets cached
// for a year, index.html revalidated on every load, client routes answered with index.html, a Content-Security-Policy
// for the page (the API's own responses keep theirs). None of these routes is in /openapi.json. Without a build,
// /admin answers a problem saying how to make one, and the API is unaffected.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { App } from './app-type.ts';
import { sendProblem } from './problem.ts';

/** admin/dist at the repository root: three levels up from src/platform/http (and from dist/platform/http). */
export const ADMIN_DIST = fileURLToPath(new URL('../../../admin/dist/', import.meta.url));

/** The page's policy: scripts, styles and API calls from this origin only; product images may come from https. */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface AdminStaticOptions {
  /** The built dashboard (default ADMIN_DIST); tests point it elsewhere. */
  dir?: string;
}

export async function registerAdminStatic(app: App, options: AdminStaticOptions = {}): Promise<void> {
  const dir = options.dir ?? ADMIN_DIST;
  const index = join(dir, 'index.html');
  const hidden = { schema: { hide: true } };

  if (!existsSync(index)) {
    const notBuilt = (request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(
        request,
        reply,
        new AppError(503, 'admin.not_built', 'Admin dashboard not built', {
          detail:
            'The admin dashboard has not been built: run `npm run build:admin` (npm install runs it), then reload.',
        }),
      );
    app.get('/admin', hidden, notBuilt);
    app.get('/admin/*', hidden, notBuilt);
    return;
  }

  // Vite names every file under assets/ by its content hash: a new build is a new URL, so it may be cached for good.
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/admin/assets/',
    decorateReply: false,
    index: false,
    serveDotFiles: false,
    cacheControl: false,
    setHeaders: (reply) => {
      reply.header('cache-control', IMMUTABLE);
    },
  });

  // Every other path under /admin is a client route: the page, revalidated on each load so a deploy shows at once.
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    const html = await readFile(index, 'utf8');
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', ADMIN_CSP)
      .send(html);
  };
  app.get('/admin', hidden, page);
  app.get('/admin/*', hidden, page);
}
