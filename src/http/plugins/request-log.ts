/** Each answered request counted and timed by route, and logged (at debug, or warn for a 5xx). */
import type { TLSSocket } from 'node:tls';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** The subject of the client's certificate (HTTPS with --tls-client-ca), for the log. */
function clientSubject(req: FastifyRequest): string | undefined {
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const subject = socket.getPeerCertificate().subject as Record<string, string> | undefined;
  return subject
    ? Object.entries(subject)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
    : undefined;
}

const requestLog: FastifyPluginCallback = (app, _opts, done) => {
  const { metrics, logger } = app.services;
  // a callback hook, not an async one: no promise per request
  app.addHook('onResponse', (req, reply, next) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.request(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    // winston formats a line before it filters by level: skip the work when nobody reads it
    if (logger.isLevelEnabled(level)) {
      const client = clientSubject(req);
      logger.log(level, 'request', {
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(client ? { client } : {}),
      });
    }
    next();
  });
  done();
};

export default fp(requestLog, { name: 'streamforge-request-log', decorators: { fastify: ['services'] } });
