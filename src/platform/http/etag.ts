// Strong ETags over the exact JSON representation, with If-None-Match → 304.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function strongEtag(payload: string): string {
  return `"${createHash('sha256').update(payload).digest('base64url').slice(0, 32)}"`;
}

/** True when any entity tag in an If-None-Match / If-Match header equals `etag` (or the header is `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim() === etag);
}

/**
 * Sends `body` with a strong ETag. Returns a 304 without a body when the client already has it.
 * The body is serialised here so that the tag covers exactly the bytes sent.
 */
export function sendWithEtag(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  cacheControl = 'no-cache',
): FastifyReply {
  return sendJsonWithEtag(request, reply, tagJson(body), cacheControl);
}

/** A JSON document serialised once (e.g. kept in a cache with its tag): sent as is, or 304. */
export interface TaggedJson {
  json: string;
  etag: string;
}

export function tagJson(body: unknown): TaggedJson {
  return tagText(JSON.stringify(body));
}

/** A JSON text already serialised, with its strong tag. */
export function tagText(json: string): TaggedJson {
  return { json, etag: strongEtag(json) };
}

export function sendJsonWithEtag(
  request: FastifyRequest,
  reply: FastifyReply,
  { json, etag }: TaggedJson,
  cacheControl = 'no-cache',
): FastifyReply {
  reply.header('etag', etag).header('cache-control', cacheControl);
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply
    .type('application/json; charset=utf-8')
    .serializer((p: unknown) => p as string)
    .send(json);
}
