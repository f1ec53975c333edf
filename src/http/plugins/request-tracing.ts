/**
 * A server span per request (OpenTelemetry's HTTP conventions: `<method> <route>`, the
 * method, route, path, status), continuing the client's traceparent/tracestate; a malformed
 * one starts a new trace and is never an error. The route's producer spans are its children
 * (request-span.ts). Registered only with tracing on.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import type { Tracing } from '../../tracing/tracing.js';
import { setRequestSpan, takeRequestSpan } from '../request-span.js';

const requestTracing: FastifyPluginCallback<{ tracing: Tracing }> = (app, { tracing }, done) => {
  app.addHook('onRequest', (req, _reply, next) => {
    const route = req.routeOptions.url ?? 'unknown';
    setRequestSpan(
      req,
      tracing.serverSpan(`${req.method} ${route}`, req.headers, {
        'http.request.method': req.method,
        'http.route': route,
        'url.path': req.url.split('?', 1)[0],
      }),
    );
    next();
  });
  // a client gone before its answer: the span ends, saying so, instead of never being exported
  app.addHook('onRequestAbort', (req, next) => {
    takeRequestSpan(req)?.end('the client closed the connection before the answer');
    next();
  });
  app.addHook('onResponse', (req, reply, next) => {
    const span = takeRequestSpan(req);
    if (span) {
      span.setAttributes({ 'http.response.status_code': reply.statusCode });
      span.end(reply.statusCode >= 500 ? `answered ${reply.statusCode}` : undefined);
    }
    next();
  });
  done();
};

export default fp(requestTracing, { name: 'request-tracing' });
