/**
 * One parser for every JSON body: says where invalid JSON broke, and refuses bodies nested too
 * deep or carrying prototype-poisoning keys in any spelling (json-body.ts). Anything that is
 * not JSON (text/plain included, which fastify parses by default) is a 415.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { parseJsonBody } from '../json-body.js';

const jsonBodies: FastifyPluginCallback = (app, _opts, done) => {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, parsed) => {
    const result = parseJsonBody(String(body));
    if ('error' in result) return parsed(result.error, undefined);
    parsed(null, result.value);
  });
  done();
};

export default fp(jsonBodies, { name: 'streamforge-json-bodies' });
