/**
 * serve-producer's life: connect the producer, serve the app, and on SIGTERM stop accepting,
 * let in-flight requests finish (each waits for its acknowledgement), flush, exit 0. A request
 * answered 200 was acknowledged by Kafka with acks=all before the answer was written.
 */
import type { KafkaConnection } from '../config/kafka-connection.js';
import { PortInUseError } from '../errors.js';
import { kafkaUnavailable } from '../kafka/error-map.js';
import { KafkaProducer } from '../kafka/producer.js';
import type { Logger } from '../observability/logger.js';
import { createRegistry, localMetrics, startMetricsServer, type MetricsServer } from '../observability/metrics.js';
import { buildProducerApp, type ProducerAppOptions } from './app.js';
import { workerMetrics } from './cluster.js';
import type { Publisher } from './publisher.js';

/** What the app takes as it is, plus what only the server needs (Kafka, listening, shutdown). */
export type ProducerServerOptions = Pick<
  ProducerAppOptions,
  'info' | 'eventsTopic' | 'topicAllow' | 'corsOrigins' | 'tokens' | 'enrich' | 'bodyLimit' | 'batchLimit'
> & {
  readonly conn: KafkaConnection;
  readonly host: string;
  readonly port: number;
  readonly produceTimeoutMs: number;
  readonly clientId: string;
  readonly kafkaBatchSize: number;
  readonly maxRetries: number;
  readonly compression: string;
  readonly readTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly metrics: boolean;
  readonly metricsPort: number | undefined;
};

const METADATA_EVERY_MS = 5000;
const METADATA_FRESH_MS = 15_000;

export async function runProducerServer(
  opts: ProducerServerOptions,
  deps: {
    logger: Logger;
    onSignal: (handler: (signal: string) => void) => void;
    /** one of serve-producer --workers: metrics add up every worker's, the primary serves --metrics-port */
    clusterWorker?: boolean;
  },
): Promise<number> {
  const { logger } = deps;
  const producer = await KafkaProducer.connect(opts.conn, {
    clientId: opts.clientId,
    logger,
    statsIntervalMs: 1000,
    deliveryDeadlineMs: opts.produceTimeoutMs + 1000,
    refuseWhileDown: true,
    reportOnClose: true,
    props: {
      acks: 'all',
      'enable.idempotence': true,
      'compression.codec': opts.compression,
      'batch.num.messages': opts.kafkaBatchSize,
      'message.send.max.retries': opts.maxRetries,
      'retry.backoff.ms': 100,
      'retry.backoff.max.ms': 1000,
      // librdkafka's own 5-minute default would keep a client waiting long after it gave up.
      'message.timeout.ms': opts.produceTimeoutMs,
      // ... and a topic that does not exist would hold messages for 30 s before failing them.
      'topic.metadata.propagation.max.ms': opts.produceTimeoutMs,
      'socket.nagle.disable': true,
    },
  });

  let lastMetadata = Date.now();
  const probe = setInterval(() => {
    void producer.metadataAnswers(3000).then((ok) => {
      if (ok) lastMetadata = Date.now();
      else logger.warn('Kafka did not answer a metadata request', { brokers: opts.conn.brokers });
    });
  }, METADATA_EVERY_MS);
  probe.unref();

  // No broker answered metadata for METADATA_FRESH_MS: refuse at once, nothing handed over.
  const stale = (): boolean => Date.now() - lastMetadata >= METADATA_FRESH_MS;
  const refuse = (topic: string) => kafkaUnavailable(topic, `no broker answered a metadata request for ${METADATA_FRESH_MS / 1000} s`);
  const publisher: Publisher = {
    publish: (msg) => (stale() ? Promise.reject(refuse(msg.topic)) : producer.send(msg)),
    publishMany: (msgs) => (stale() ? Promise.resolve(msgs.map((m) => refuse(m.topic))) : producer.sendMany(msgs)),
    health: () => ({ connected: producer.connected && producer.brokersUp, metadataFresh: !stale() }),
    queueDepth: () => producer.queueDepth,
    inFlight: () => producer.inFlight,
    tally: () => producer.tally,
  };
  const registry = createRegistry();
  const separateMetrics = opts.metrics && opts.metricsPort !== undefined && opts.metricsPort > 0;
  const metricsSource = deps.clusterWorker ? workerMetrics(registry) : localMetrics(registry);
  const app = await buildProducerApp({
    publisher,
    logger,
    registry,
    info: opts.info,
    bodyLimit: opts.bodyLimit,
    batchLimit: opts.batchLimit,
    topicAllow: opts.topicAllow,
    tokens: opts.tokens,
    corsOrigins: opts.corsOrigins,
    enrich: opts.enrich,
    eventsTopic: opts.eventsTopic,
    metricsHere: opts.metrics && !separateMetrics,
    metricsSource,
    requestTimeoutMs: opts.readTimeoutMs,
    connectionTimeoutMs: opts.writeTimeoutMs,
  });

  // Requests between onRequest and onResponse: on shutdown, their answers (and acks) come first.
  let activeRequests = 0;
  // The raw response's 'close' fires exactly once, whether the answer was sent or the client
  // went away (onResponse/onRequestAbort miss some of the latter).
  app.addHook('onRequest', (_req, reply, done) => {
    activeRequests++;
    reply.raw.once('close', () => activeRequests--);
    done();
  });

  let metricsServer: MetricsServer | undefined;
  try {
    await app.listen({ host: opts.host, port: opts.port }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EADDRINUSE' ? new PortInUseError(opts.port, '--port / PRODUCER_PORT') : err;
    });
    if (separateMetrics && !deps.clusterWorker) {
      metricsServer = await startMetricsServer({
        port: opts.metricsPort as number,
        host: opts.host,
        metrics: metricsSource,
        logger,
        setting: '--metrics-port / METRICS_PORT',
        probes: { live: () => true, ready: () => publisher.health().connected && publisher.health().metadataFresh },
      });
    }
  } catch (err) {
    clearInterval(probe);
    await app.close();
    await producer.close(1000).catch(() => undefined);
    throw err;
  }
  const address = app.server.address();
  logger.info('serve-producer listening', {
    url: typeof address === 'object' && address ? `http://${opts.host}:${address.port}` : String(address),
    brokers: opts.conn.brokers,
    security_protocol: opts.conn.securityProtocol,
    topics_allowed: opts.topicAllow?.source ?? 'any',
    auth: opts.tokens.length > 0 ? 'bearer' : 'none',
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    deps.onSignal((signal) => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal, in_flight: producer.inFlight });
      const deadline = setTimeout(() => {
        logger.error('shutdown took longer than SERVER_SHUTDOWN_TIMEOUT', { in_flight: producer.inFlight });
        resolve(1);
      }, opts.shutdownTimeoutMs);
      void (async () => {
        clearInterval(probe);
        // Stop accepting. Keep-alive connections stay open, though, and a request sent on one
        // after this point is neither served nor refused until requestTimeout: so close idle
        // connections as they appear, wait until every started request has its answer (each
        // 200 waited for Kafka's ack), then drop what is left, which holds no acked message.
        const closed = app.close();
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        while (activeRequests > 0) await new Promise((r) => setTimeout(r, 20));
        app.server.closeAllConnections();
        await closed;
        clearInterval(sweep);
        logger.debug('HTTP server closed');
        await metricsServer?.close();
        try {
          await producer.close(opts.shutdownTimeoutMs);
          logger.info('stopped: every acknowledged message is in Kafka');
          resolve(0);
        } catch (err) {
          logger.error('flush failed at shutdown', { error: (err as Error).message });
          resolve(1);
        } finally {
          clearTimeout(deadline);
        }
      })();
    });
  });
}
