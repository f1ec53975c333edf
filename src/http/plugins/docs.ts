/**
 * The OpenAPI document, generated from the routes' schemas (the files in schemas/), at
 * /openapi.json and as pages at /docs. Registered before the routes, which it collects as they
 * are added.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { unpack } from '../../binary/packed-files.js';
import { inBinary } from '../../resources.js';
import { MAX_JSON_DEPTH } from '../body/json-body.js';

/** Swagger UI's pages: in node_modules, or unpacked from the single executable to its cache. */
function swaggerUiFiles(): { baseDir?: string; logo?: { type: string; content: Buffer } } {
  if (!inBinary()) return {};
  const baseDir = join(unpack('swaggerUi'), 'swagger-ui');
  return { baseDir, logo: { type: 'image/svg+xml', content: readFileSync(join(baseDir, 'logo.svg')) } };
}

const docs: FastifyPluginAsync<{ readonly version: string; readonly bearer: boolean; readonly https: boolean }> = async (app, opts) => {
  await app.register((await import('@fastify/swagger')).default, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'streamforge serve-producer',
        version: opts.version,
        description: `HTTP in, Kafka records out. Every 2xx answer carries the partition and offset Kafka assigned (acks=all). Bodies are JSON (Content-Type: application/json), nested at most ${MAX_JSON_DEPTH} levels; keys that could poison a prototype (__proto__, constructor.prototype, in any spelling) are refused with 400.`,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(opts.bearer ? { security: [{ bearer: [] }] } : {}),
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.title ?? `def-${i}`) },
  });
  await app.register((await import('@fastify/swagger-ui')).default, {
    routePrefix: '/docs',
    ...swaggerUiFiles(),
    staticCSP: true,
    // over plain HTTP, upgrade-insecure-requests makes a browser that reached the server by a
    // name other than localhost fetch the page's assets over HTTPS, which nobody serves there
    transformStaticCSP: (header: string) => (opts.https ? header : header.replace(/\s*upgrade-insecure-requests;?/, '')),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

export default fp(docs, { name: 'streamforge-docs' });
