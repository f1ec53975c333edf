/**
 * One parser for every JSON body: says where invalid JSON broke, and refuses bodies nested too
 * deep or carrying prototype-poisoning keys in any spelling (json-body.ts). Anything that is
 * not JSON (text/plain included, which fastify parses by default) is a 415.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { parseJsonBytes } from '../body/json-body.js';

const jsonBodies: FastifyPluginCallback = (app, _opts, done) => {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  // as bytes: fastify's 'string' decodes invalid UTF-8 to U+FFFD before anyone can see it
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, parsed) => {
    const result = parseJsonBytes(body as Buffer);
    if ('error' in result) return parsed(result.error, undefined);
    parsed(null, result.value);
  });
  done();
};

export default fp(jsonBodies, { name: 'streamforge-json-bodies' });
