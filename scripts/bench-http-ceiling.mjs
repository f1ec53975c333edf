#!/usr/bin/env node
// The HTTP yardsticks of bench:producer, each a server in its own process on 127.0.0.1:<port>:
//   noop <port>  the same fastify, a POST /produce that parses the JSON body and answers at once:
//                the HTTP ceiling of this machine for the same body and connections;
//   app <port> <topic>  serve-producer's own app (every plugin, schema and metric) over a publisher
//                that answers at once with a made-up offset, and whose cluster holds <topic> (the
//                topic catalog asks it): what our HTTP layer costs without Kafka.
// Prints "listening" once it accepts connections; SIGTERM ends it.
import Fastify from 'fastify';

const [mode, port, topic = 'bench'] = process.argv.slice(2);

async function noop() {
  const app = Fastify({ logger: false });
  app.post('/produce', async () => ({ success: true }));
  return app;
}

async function ourApp() {
  const { buildProducerApp } = await import('../dist/http/app.js');
  const { createLogger } = await import('../dist/observability/logger.js');
  const { createRegistry } = await import('../dist/observability/metrics.js');
  let offset = 0;
  const deliver = (m) => ({ topic: m.topic, partition: 0, offset: offset++, timestamp: Date.now() });
  const publisher = {
    publish: async (m) => deliver(m),
    publishMany: async (ms) => ms.map(deliver),
    health: () => ({ connected: true, metadataFresh: true }),
    queueDepth: () => 0,
    inFlight: () => 0,
    tally: () => ({ acknowledged: offset, failed: 0, unknown: 0, late: new Map() }),
    // without these the topic catalog could not know the topic, and every answer was a 503
    topics: async () => [{ name: topic, partitions: [{ id: 0, leader: 1, replicas: [1], isrs: [1] }] }],
    clusterIdentity: async () => ({ clusterId: 'bench-cluster', controllerId: 1 }),
  };
  return buildProducerApp({
    publisher,
    logger: createLogger({ level: 'warn', format: 'json', stream: process.stderr }),
    registry: createRegistry(),
    info: { name: 'streamforge-producer', version: 'bench', env: 'bench' },
    bodyLimit: 1024 * 1024,
    batchLimit: 1000,
    topicAllow: undefined,
    tokens: [],
    corsOrigins: [],
    enrich: true,
    eventsTopic: 'events',
    metricsHere: true,
    requestTimeoutMs: 30_000,
    connectionTimeoutMs: 30_000,
  });
}

const app = mode === 'app' ? await ourApp() : await noop();
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
console.log('listening');
