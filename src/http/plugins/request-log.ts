/** Each answered request counted and timed by route, and logged (at debug, or warn for a 5xx). */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

const requestLog: FastifyPluginCallback = (app, _opts, done) => {
  const { metrics, logger } = app.services;
  // a callback hook, not an async one: no promise per request
  app.addHook('onResponse', (req, reply, next) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.request(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    // winston formats a line before it filters by level: skip the work when nobody reads it
    if (logger.isLevelEnabled(level)) {
      logger.log(level, 'request', { method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 });
    }
    next();
  });
  done();
};

export default fp(requestLog, { name: 'streamforge-request-log', decorators: { fastify: ['services'] } });
