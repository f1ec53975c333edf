/** What the server is, and how it is: /, /health, /ready and (unless on its own port) /metrics. */
import type { FastifyPluginCallback } from 'fastify';

const systemRoutes: FastifyPluginCallback = (app, _opts, done) => {
  const s = app.services;
  app.get('/', { schema: { summary: 'name, version and endpoints', tags: ['system'] } }, async () => ({
    message: 'streamforge serve-producer: HTTP in, Kafka records out',
    name: s.info.name,
    version: s.info.version,
    // the Strimzi Bridge's info document has this one field; its clients may look for it
    bridge_version: s.info.version,
    env: s.info.env,
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
      kafka_rest_v2: 'POST /topics/{topic}, POST /topics/{topic}/partitions/{partition}, GET /topics',
      kafka_rest_v3: 'POST /v3/clusters/{cluster_id}/topics/{topic}/records[:batch], GET /v3/clusters',
    },
  }));

  app.get('/health', { schema: { summary: 'liveness: the process answers', tags: ['system'] } }, async () => {
    const h = s.publisher.health();
    const kafka_connected = h.connected && h.metadataFresh;
    return { status: kafka_connected ? 'healthy' : 'degraded', timestamp: s.now().toISOString(), kafka_connected };
  });

  app.get(
    '/ready',
    { schema: { summary: 'readiness: connected to Kafka with fresh metadata (else 503)', tags: ['system'] } },
    async (_req, reply) => {
      const h = s.publisher.health();
      const ready = h.connected && h.metadataFresh;
      if (!ready) reply.code(503).header('retry-after', '5');
      return { status: ready ? 'ready' : 'not ready', kafka_connected: h.connected, metadata_fresh: h.metadataFresh };
    },
  );

  if (s.metricsHere) {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['system'] } }, async (_req, reply) => {
      reply.header('content-type', s.metricsSource.contentType);
      return s.metricsSource.text();
    });
  }
  done();
};

export default systemRoutes;
