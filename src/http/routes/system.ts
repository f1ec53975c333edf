import type { FastifyInstance } from 'fastify';
import type { RouteOptions } from '../app.js';

export function registerSystemRoutes(app: FastifyInstance, opts: RouteOptions): void {
  app.get('/', { schema: { summary: 'name, version and endpoints', tags: ['system'] } }, async () => ({
    message: 'streamforge serve-producer: HTTP in, Kafka records out',
    name: opts.info.name,
    version: opts.info.version,
    env: opts.info.env,
    endpoints: {
      produce: 'POST /produce',
      batch: 'POST /produce/batch',
      events: 'POST /api/v1/events/{user,order,payment}',
      stats: 'GET /api/v1/events/stats',
      health: 'GET /health',
      ready: 'GET /ready',
      metrics: 'GET /metrics',
      docs: 'GET /docs',
      openapi: 'GET /openapi.json',
    },
  }));

  app.get('/health', { schema: { summary: 'liveness: the process answers', tags: ['system'] } }, async () => {
    const h = opts.publisher.health();
    const kafka_connected = h.connected && h.metadataFresh;
    return { status: kafka_connected ? 'healthy' : 'degraded', timestamp: opts.now().toISOString(), kafka_connected };
  });

  app.get(
    '/ready',
    { schema: { summary: 'readiness: connected to Kafka with fresh metadata (else 503)', tags: ['system'] } },
    async (_req, reply) => {
      const h = opts.publisher.health();
      const ready = h.connected && h.metadataFresh;
      if (!ready) reply.code(503).header('retry-after', '5');
      return { status: ready ? 'ready' : 'not ready', kafka_connected: h.connected, metadata_fresh: h.metadataFresh };
    },
  );

  if (opts.metricsHere) {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['system'] } }, async (_req, reply) => {
      reply.header('content-type', opts.metricsSource.contentType);
      return opts.metricsSource.text();
    });
  }
}
