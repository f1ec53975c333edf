/**
 * A request's server span (plugins/request-tracing.ts starts it) and the services its route
 * publishes with: with tracing on, a publisher whose producer spans are that span's children.
 * Explicit, per request, instead of an async context (tracing.ts says why).
 */
import type { FastifyRequest } from 'fastify';
import type { TraceSpan } from '../tracing/tracing.js';
import { tracedPublisher } from './publish/traced-publisher.js';
import type { RouteServices } from './services.js';

const spans = new WeakMap<FastifyRequest, TraceSpan>();

export function setRequestSpan(req: FastifyRequest, span: TraceSpan): void {
  spans.set(req, span);
}

export function takeRequestSpan(req: FastifyRequest): TraceSpan | undefined {
  const span = spans.get(req);
  spans.delete(req);
  return span;
}

/** The route's services for this request: as they are with tracing off, which costs one test. */
export function servicesForRequest(s: RouteServices, req: FastifyRequest): RouteServices {
  if (!s.tracing) return s;
  return { ...s, publisher: tracedPublisher(s.publisher, s.tracing, spans.get(req)) };
}
