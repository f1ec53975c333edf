/**
 * Helmet's security headers on every answer (Content-Security-Policy off: Swagger UI's page needs
 * inline scripts, and the API answers JSON). Helmet decides which headers and values; they do not
 * depend on the request, so it runs once, at start, and each answer gets the same set. Through
 * @fastify/helmet it ran per request, behind two hooks, one of them async: 6% of a single
 * /produce's time in a CPU profile.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

/** The headers helmet sets on a response, found by letting it set them on a recorder. */
export function helmetHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let synchronous = false;
  // helmet's middleware is (req, res, next) and calls next before it returns
  helmet({ contentSecurityPolicy: false })({} as never, res as never, () => {
    synchronous = true;
  });
  if (!synchronous) throw new Error('helmet did not finish synchronously: its headers cannot be computed once');
  return Object.freeze(headers);
}

const securityHeaders: FastifyPluginCallback<{ readonly https: boolean }> = (app, opts, done) => {
  const headers: Record<string, string> = { ...helmetHeaders() };
  // HSTS over plain HTTP is ignored by browsers at best, and pins a name to HTTPS that this
  // server does not serve at worst: sent only when this server speaks HTTPS
  if (!opts.https) delete headers['strict-transport-security'];
  app.addHook('onRequest', (_req, reply, next) => {
    reply.headers(headers);
    next();
  });
  done();
};

export default fp(securityHeaders, { name: 'streamforge-security-headers' });
