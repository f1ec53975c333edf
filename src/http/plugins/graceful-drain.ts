/**
 * Shutdown without losing an answer: `app.drain()` stops accepting, waits until every started
 * request has its answer (each 200 waited for Kafka's ack), then drops what is left, which holds
 * no acknowledged message. Keep-alive connections stay open on close, and a request sent on one
 * after that is neither served nor refused until requestTimeout: so idle connections are closed
 * as they appear while the drain waits.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** requests between onRequest and their response's close */
    readonly activeRequests: () => number;
    drain(): Promise<void>;
  }
}

const SWEEP_MS = 50;
const POLL_MS = 20;

const gracefulDrain: FastifyPluginCallback = (app, _opts, done) => {
  let active = 0;
  // The raw response's 'close' fires exactly once, whether the answer was sent or the client
  // went away (onResponse/onRequestAbort miss some of the latter).
  app.addHook('onRequest', (_req, reply, next) => {
    active++;
    reply.raw.once('close', () => active--);
    next();
  });
  app.decorate('activeRequests', () => active);
  app.decorate('drain', async function drain() {
    const closed = app.close();
    const sweep = setInterval(() => app.server.closeIdleConnections(), SWEEP_MS);
    try {
      while (active > 0) await new Promise((r) => setTimeout(r, POLL_MS));
      app.server.closeAllConnections();
      await closed;
    } finally {
      clearInterval(sweep);
    }
  });
  done();
};

export default fp(gracefulDrain, { name: 'streamforge-graceful-drain' });
