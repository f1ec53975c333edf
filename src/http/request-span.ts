/**
 * A request's server span (plugins/request-tracing.ts starts it) and the services its route
 * publishes with: with tracing on, a publisher whose producer spans are that span's children;
 * with an Idempotency-Key, one that writes into the key's transaction.
 * Explicit, per request, instead of an async context (tracing.ts says why).
 */
import type { FastifyRequest } from 'fastify';
import type { TraceSpan } from '../tracing/tracing.js';
import { tracedPublisher } from './publish/traced-publisher.js';
import type { RouteServices } from './services.js';
import { leasedPublisher, leaseOf } from './idempotency/request-lease.js';

const spans = new WeakMap<FastifyRequest, TraceSpan>();

export function setRequestSpan(req: FastifyRequest, span: TraceSpan): void {
  spans.set(req, span);
}

export function takeRequestSpan(req: FastifyRequest): TraceSpan | undefined {
  const span = spans.get(req);
  spans.delete(req);
  return span;
}

/**
 * The route's services for this request: with an Idempotency-Key, a publisher into the key's
 * transaction; with tracing on, one whose records are the request span's children. As they are
 * otherwise, which costs two tests.
 */
export function servicesForRequest(s: RouteServices, req: FastifyRequest): RouteServices {
  const lease = s.idempotency ? leaseOf(req) : undefined;
  if (!s.tracing && !lease) return s;
  const publisher = lease ? leasedPublisher(s.publisher, lease) : s.publisher;
  return { ...s, publisher: s.tracing ? tracedPublisher(publisher, s.tracing, spans.get(req)) : publisher };
}
