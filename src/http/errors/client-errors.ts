/**
 * What a connection gets when a request fails before or beside its route: Node's own refusals
 * (a request not received within --read-timeout: 408; headers too large: 431; bytes that are not
 * HTTP: 400) and the router's (a path segment too long: 414; a bad percent-encoding: 400). Each is
 * answered in the error shape of the route family its path names, never echoing the input, and
 * never written into an answer already begun: an answer that is streaming is ended by its route,
 * which registered how (endOnReadTimeout), with a last record that says why.
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError } from '../../errors.js';
import { errorAnswer, errorFormatOfPath } from './error-shapes.js';

/** Kafka's longest topic name: the longest path segment the router takes. */
export const MAX_PATH_SEGMENT = 249;

/** How long a refused connection may take to read its answer before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** Streaming answers still reading their request, and how each ends itself at the read deadline. */
const streamEnders = new WeakMap<Duplex, () => void>();

/**
 * While `res` streams its answer, a read timeout calls `end` instead of writing a status line
 * into it: `end` ends the answer well formed, and the connection is closed once it is sent (the
 * rest of the request is never read, so the connection cannot carry another). Returns the undo.
 */
export function endOnReadTimeout(res: ServerResponse, end: () => void): () => void {
  const socket = res.socket;
  if (!socket) return () => undefined;
  const ender = (): void => {
    res.once('finish', () => closeSoon(socket));
    end();
  };
  streamEnders.set(socket, ender);
  return () => {
    if (streamEnders.get(socket) === ender) streamEnders.delete(socket);
  };
}

function closeSoon(socket: Duplex): void {
  socket.end();
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}

/** The error Node gives its clientError handler for a request not received in time (for a check Node no longer makes). */
export function requestTimedOut(): Error & { code: string } {
  return Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
}

/** The refusal for one of Node's client errors; `readTimeoutMs` for the 408's words. */
export function clientErrorOf(code: string | undefined, readTimeoutMs: number): HttpError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return readTimeout(readTimeoutMs);
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError(
        431,
        'SF_HTTP_TOO_LARGE',
        'the request headers are larger than the server takes',
        'send smaller headers: Node takes 16 KiB of them in all',
      );
    default:
      return new HttpError(400, 'SF_HTTP_VALIDATION', 'the request is not valid HTTP/1.1', 'send a well-formed request');
  }
}

/** A request not received in time; for a stream, how many of its records came before (each reported already). */
export function readTimeout(readTimeoutMs: number, recordsBefore?: number): HttpError {
  const before =
    recordsBefore === undefined
      ? ''
      : `: the stream ends here; the ${recordsBefore} record${recordsBefore === 1 ? '' : 's'} before this report were sent, each as its own report says`;
  return new HttpError(
    408,
    'SF_HTTP_TIMEOUT',
    `the request was not received within --read-timeout (${readTimeoutMs} ms)${before}`,
    'send the whole request sooner, or split a long stream into several requests',
  );
}

/** The router's refusals (fastify's frameworkErrors), each as the path's family says. */
export function routerErrorOf(code: string): HttpError {
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new HttpError(
      414,
      'SF_HTTP_TOO_LARGE',
      `a path segment is longer than ${MAX_PATH_SEGMENT} characters, the longest topic name Kafka takes`,
      'use a topic name of at most 249 characters',
    );
  }
  return new HttpError(400, 'SF_HTTP_VALIDATION', 'the path is not valid percent-encoded UTF-8', 'encode the path as RFC 3986 says');
}

/**
 * Node's clientError: a streaming answer ends itself; an answer already begun otherwise is cut
 * (nothing can be added to it that a client could parse); else the refusal, then the close.
 */
export function answerClientError(err: Error & { code?: string; rawPacket?: unknown }, socket: Duplex, readTimeoutMs: number): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const ender = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? streamEnders.get(socket) : undefined;
  if (ender) {
    streamEnders.delete(socket);
    return ender();
  }
  const begun = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (begun?.headersSent) {
    socket.destroy();
    return;
  }
  const path = begun?.req.url ?? requestTarget(err.rawPacket);
  const refusal = clientErrorOf(err.code, readTimeoutMs);
  const { contentType, body } = errorAnswer(refusal, errorFormatOfPath(path));
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refusal.statusCode} ${statusText[refusal.statusCode] ?? 'Bad Request'}\r\n` +
        `Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  closeSoon(socket);
}

const statusText: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** The target of the request line Node could not finish reading, when it got that far. */
function requestTarget(raw: unknown): string {
  if (!Buffer.isBuffer(raw)) return '/';
  const line = raw.subarray(0, 512).toString('latin1');
  return /^[A-Z]+ (\/\S*)/.exec(line)?.[1] ?? '/';
}
