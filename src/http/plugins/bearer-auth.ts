/**
 * Bearer tokens on every route but the open ones (probes, metrics, the API's own docs), with
 * @fastify/bearer-auth doing the header work and our digest comparison deciding (the time a
 * check takes says nothing about the tokens: bearer-token.ts). No tokens: no check at all.
 */
import bearerAuth from '@fastify/bearer-auth';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../../errors.js';
import { tokenDigest, tokenMatches } from './bearer-token.js';
import { sendError } from './error-answers.js';

/** Paths that stay open when tokens are configured: probes, metrics, and the API's own docs. */
const openPaths = [/^\/health$/, /^\/healthy$/, /^\/ready$/, /^\/metrics$/, /^\/docs(\/.*)?$/, /^\/openapi\.json$/];

const unauthorized = (hadToken: boolean): HttpError =>
  new HttpError(
    401,
    'SF_HTTP_UNAUTHORIZED',
    hadToken ? 'the bearer token is not valid' : 'a bearer token is required',
    'send Authorization: Bearer <token>',
    { headers: { 'www-authenticate': 'Bearer realm="streamforge"' } },
  );

const hasBearerToken = (header: string | undefined): boolean => /^Bearer\s+\S/i.test(header ?? '');

const bearerAuthPlugin: FastifyPluginAsync<{ readonly tokens: readonly string[] }> = async (app, { tokens }) => {
  if (tokens.length === 0) return;
  const digests = tokens.map(tokenDigest);
  await app.register(bearerAuth, {
    // our comparison, not the plugin's key list: fixed-length digests, no early exit
    keys: new Set<string>(),
    auth: (token: string) => tokenMatches(token, digests),
    // the scheme is case-insensitive (RFC 9110); 'rfc6750' would refuse "bearer x"
    specCompliance: 'rfc6749',
    // decorate verifyBearerAuth instead of hooking every route: the open paths skip it
    addHook: false,
  });
  // checked here, once: a hook that never calls back would hang every request
  const verify = app.verifyBearerAuth;
  if (!verify) throw new Error('@fastify/bearer-auth did not decorate verifyBearerAuth');
  app.addHook('onRequest', (req, reply, done) => {
    if (openPaths.some((p) => p.test(req.url.split('?')[0] ?? ''))) return done();
    // answered here, not passed on as an error: on a path no route has, the error handler would
    // answer 404 and tell a caller without a token which paths exist
    verify(req, reply, (err?: Error) => {
      if (!err) return done();
      sendError(reply, unauthorized(hasBearerToken(req.headers.authorization)));
    });
  });
};

export default fp(bearerAuthPlugin, { name: 'streamforge-bearer-auth' });
