/**
 * Shutdown without losing an answer: `app.drain()` stops accepting, waits until every started
 * request has its answer (each 200 waited for Kafka's ack), then drops what is left, which holds
 * no acknowledged message. Keep-alive connections stay open on close, and a request sent on one
 * after that is neither served nor refused until requestTimeout: so idle connections are closed
 * as they appear while the drain waits. Node stops timing requests once the server closes, so
 * the drain holds --read-timeout itself: a request whose body is still arriving at its deadline
 * is answered as Node would have answered it (a slowloris client must not hold a shutdown to its
 * end).
 */
import type { Duplex } from 'node:stream';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

export interface GracefulDrainOptions {
  /** --read-timeout: a request not received within it is answered by `readTimedOut` */
  readonly readTimeoutMs: number;
  readonly readTimedOut: (socket: Duplex) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** requests between onRequest and their response's close */
    readonly activeRequests: () => number;
    drain(): Promise<void>;
  }
}

const SWEEP_MS = 50;
const POLL_MS = 20;

const gracefulDrain: FastifyPluginCallback<GracefulDrainOptions> = (app, opts, done) => {
  // The raw response's 'close' fires exactly once, whether the answer was sent or the client
  // went away (onResponse/onRequestAbort miss some of the latter).
  const active = new Set<FastifyReply>();
  app.addHook('onRequest', (_req, reply, next) => {
    active.add(reply);
    reply.raw.once('close', () => active.delete(reply));
    next();
  });
  /** requests whose body is still arriving past --read-timeout, answered as Node would (it no longer checks) */
  const answered = new WeakSet<FastifyReply>();
  const expireSlowBodies = (): void => {
    for (const reply of active) {
      const { raw } = reply.request;
      // once each: its answer (or a stream's last report) is on its way, and its 'close' follows
      if (!raw.complete && !answered.has(reply) && reply.elapsedTime >= opts.readTimeoutMs) {
        answered.add(reply);
        opts.readTimedOut(raw.socket);
      }
    }
  };
  app.decorate('activeRequests', () => active.size);
  app.decorate('drain', async function drain() {
    const closed = app.close();
    const sweep = setInterval(() => {
      app.server.closeIdleConnections();
      expireSlowBodies();
    }, SWEEP_MS);
    try {
      while (active.size > 0) await new Promise((r) => setTimeout(r, POLL_MS));
      app.server.closeAllConnections();
      await closed;
    } finally {
      clearInterval(sweep);
    }
  });
  done();
};

export default fp(gracefulDrain, { name: 'streamforge-graceful-drain' });
