/**
 * A server span per request (OpenTelemetry's HTTP conventions: `<method> <route>`, the
 * method, route, path, status), continuing the client's traceparent/tracestate; a malformed
 * one starts a new trace and is never an error. The span's context is entered in onRequest
 * and again in preHandler: a body arrives in the socket's own async context, so the handler
 * (and the producer spans it starts) would otherwise lose it. Registered only with tracing on.
 */
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ScopeSpan, Tracing } from '../../tracing/tracing.js';

const spans = new WeakMap<FastifyRequest, ScopeSpan>();

const requestTracing: FastifyPluginCallback<{ tracing: Tracing }> = (app, { tracing }, done) => {
  app.addHook('onRequest', (req, _reply, next) => {
    const route = req.routeOptions.url ?? 'unknown';
    const span = tracing.serverSpan(`${req.method} ${route}`, req.headers, {
      'http.request.method': req.method,
      'http.route': route,
      'url.path': req.url.split('?', 1)[0],
      'url.scheme': req.protocol,
      'network.protocol.version': req.raw.httpVersion,
      'user_agent.original': req.headers['user-agent'],
      'client.address': req.ip,
    });
    spans.set(req, span);
    span.run(next);
  });
  app.addHook('preHandler', (req, _reply, next) => {
    const span = spans.get(req);
    if (span) span.run(next);
    else next();
  });
  app.addHook('onResponse', (req, reply, next) => {
    const span = spans.get(req);
    if (span) {
      span.setAttributes({ 'http.response.status_code': reply.statusCode });
      span.end(reply.statusCode >= 500 ? `answered ${reply.statusCode}` : undefined);
      spans.delete(req);
    }
    next();
  });
  done();
};

export default fp(requestTracing, { name: 'request-tracing' });
