// Requests Node's HTTP parser refuses before Fastify sees them (headers over the size limit, a control character in
// a header, a bad header name, Content-Length with Transfer-Encoding, a garbage request line, a client that sends
// too slowly) are answered as problem+json with a stable code too, then the connection is closed. Fastify's default
// answered `application/json` `{"error":"Bad Request","message":"Client Error"}` without a code.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { freshTraceId } from '../observability/tracing-context.ts';
import { PROBLEM_BASE, PROBLEM_CONTENT_TYPE } from './problem.ts';

interface ClientProblem {
  status: number;
  code: string;
  title: string;
  detail: string;
}

export function clientProblem(errorCode: string | undefined): ClientProblem {
  switch (errorCode) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'request.header_too_large',
        title: 'Request header fields too large',
        detail: 'The request line and headers are larger than the server accepts.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return {
        status: 408,
        code: 'request.client_timeout',
        title: 'Request timeout',
        detail: 'The request was not received in time.',
      };
    default:
      return {
        status: 400,
        code: 'request.malformed',
        title: 'Bad request',
        detail: 'The request is not valid HTTP/1.1 (request line, header names or values, or message framing).',
      };
  }
}

/** Fastify's `clientErrorHandler`: `onProblem` counts the answer (metrics). */
export function clientErrorHandler(onProblem: (code: string) => void) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    // A reset connection has no one left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const p = clientProblem(err.code);
    onProblem(p.code);
    if (socket.writable) {
      const body = JSON.stringify({
        type: PROBLEM_BASE + p.code,
        title: p.title,
        status: p.status,
        detail: p.detail,
        code: p.code,
        traceId: freshTraceId(),
      });
      socket.write(
        `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status]}\r\n` +
          `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'X-Content-Type-Options: nosniff\r\n' +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy(err);
  };
}
