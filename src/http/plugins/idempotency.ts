/**
 * Idempotency-Key on every produce route (IETF draft-ietf-httpapi-idempotency-key-header-06):
 * the first request with a key is answered as usual, its records and its answer committed in
 * one Kafka transaction; a retry with the same key and the same request gets that answer again
 * (Idempotent-Replayed: true), one with another request 422, one while the first is in progress
 * 409. Requests without the header go by untouched. The protocol is the store's
 * (idempotency/idempotency-store.ts); this plugin ties it to a request's life: the body's
 * fingerprint as it streams in, the claim before the handler, the commit before the answer.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../../errors.js';
import { errorAnswer } from '../errors/error-shapes.js';
import { FingerprintStream, fingerprintOf } from '../idempotency/fingerprint.js';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from '../idempotency/idempotency-key.js';
import type { KeyedRequests } from '../idempotency/idempotency-store.js';
import { setLease, takeLease } from '../idempotency/request-lease.js';
import { errorFormatOf } from './error-answers.js';
import { TransactionError } from '../../kafka/transaction-error.js';

/** The routes that write records: a key means something only there. */
const PRODUCE_ROUTES =
  /^\/(produce(\/batch)?|api\/v1\/events\/[^/]+|topics\/:topic(\/partitions\/:partition)?|v3\/clusters\/:cluster_id\/topics\/:topic\/records(::?batch)?)$/;

interface Keyed {
  readonly key: string;
  readonly hash: FingerprintStream;
}

const keyed = new WeakMap<FastifyRequest, Keyed>();

function isProduceRoute(req: FastifyRequest): boolean {
  return req.method === 'POST' && PRODUCE_ROUTES.test(req.routeOptions.url ?? '');
}

/** What a keyed request cannot be, refused before anything is claimed. */
function refusal(req: FastifyRequest): HttpError | undefined {
  const query = req.query as { async?: unknown } | undefined;
  if (query?.async !== undefined && query.async !== 'false') {
    return new HttpError(
      400,
      'SF_HTTP_VALIDATION',
      'an Idempotency-Key request cannot be ?async=true: its answer is the offsets Kafka assigned, which async does not wait for',
      'leave out ?async=true, or the Idempotency-Key',
      { outcome: 'not_written' },
    );
  }
  if (req.routeOptions.url?.endsWith('/records') && req.headers['content-length'] === undefined) {
    return new HttpError(
      400,
      'SF_HTTP_VALIDATION',
      'a streamed v3 request (chunked, each record answered as Kafka acknowledges it) cannot carry an Idempotency-Key: its answer is not known until its last record',
      'send the records with a Content-Length (they are then answered together), or use records:batch',
      { outcome: 'not_written' },
    );
  }
  return undefined;
}

/** A body read as a stream by its route (v3 records): read whole here, its bytes hashed, and handed on as a stream. */
async function wholeStreamBody(req: FastifyRequest): Promise<void> {
  // fastify does not bound a body its route reads as a stream: bounded here as the route bounds it
  const limit = req.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY;
  const tooLarge = (): HttpError =>
    new HttpError(413, 'SF_HTTP_TOO_LARGE', `the body is larger than --body-limit (${limit} bytes)`, 'send fewer records at once', {
      outcome: 'not_written',
    });
  if (Number(req.headers['content-length']) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.body as Readable) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  req.body = Readable.from([bytes]);
}

async function claim(store: KeyedRequests, req: FastifyRequest, reply: FastifyReply, k: Keyed): Promise<void> {
  if (req.body instanceof Readable) await wholeStreamBody(req);
  const fpText = k.hash.complete ? k.hash.digest() : fingerprintOf(req.method, req.url, req.headers['content-type'], '');
  const begun = await store.begin(k.key, fpText);
  if (begun.kind === 'lease') return setLease(req, begun.lease);
  const { answer } = begun;
  await reply.code(answer.status).type(answer.contentType).header('idempotent-replayed', 'true').send(answer.body);
}

async function collected(payload: unknown): Promise<string> {
  if (payload === null || payload === undefined) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of payload as Readable) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The answer committed with the records, or, when the commit failed, the failure's answer instead. */
async function settled(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const lease = takeLease(req);
  if (!lease) return payload;
  const body = await collected(payload);
  const contentType = String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
  try {
    await lease.settle({ status: reply.statusCode, contentType, body });
    return body;
  } catch (err) {
    const failure =
      err instanceof TransactionError
        ? HttpError.of(err.kind, `the request's transaction did not commit: ${err.message}`, err.hint)
        : HttpError.of('failed', String(err));
    const answer = errorAnswer(failure, errorFormatOf(req));
    reply.code(failure.statusCode).headers(failure.headers).type(answer.contentType);
    return JSON.stringify(answer.body);
  }
}

const idempotency: FastifyPluginCallback<{ store: KeyedRequests | undefined }> = (app, { store }, done) => {
  app.addHook('onRequest', (req, _reply, next) => {
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (header === undefined || !isProduceRoute(req)) return next();
    try {
      const key = idempotencyKeyOf(header);
      if (key === undefined) return next();
      if (!store) {
        throw new HttpError(
          400,
          'SF_HTTP_VALIDATION',
          'this server does not take Idempotency-Key (started with --idempotency off)',
          'leave the header out, or send the request to a server with --idempotency on',
          { outcome: 'not_written' },
        );
      }
      const refused = refusal(req);
      if (refused) throw refused;
      // the path as sent, query included: the same body to another topic is another request
      keyed.set(req, { key, hash: new FingerprintStream(req.method, req.url, req.headers['content-type']) });
      next();
    } catch (err) {
      next(err as Error);
    }
  });
  app.addHook('preParsing', (req, _reply, payload, next) => {
    const k = keyed.get(req);
    if (!k) return next(null, payload);
    next(null, payload.pipe(k.hash));
  });
  app.addHook('preHandler', async (req, reply) => {
    const k = keyed.get(req);
    if (!k || !store) return;
    await claim(store, req, reply, k);
  });
  app.addHook('onSend', async (req, reply, payload) => settled(req, reply, payload));
  // an answer never sent (the client went away before it): the lease still ends, its records
  // committed with the answer they would have had, or nothing kept
  app.addHook('onResponse', async (req) => {
    await takeLease(req)
      ?.settle(undefined)
      .catch(() => undefined);
  });
  done();
};

export default fp(idempotency, { name: 'idempotency' });
