/**
 * serve-producer's life: connect an ingest producer (src/kafka/ owns its tuning and the metadata
 * probe), serve the app, and on SIGTERM drain it (plugins/graceful-drain.ts: in-flight requests
 * get their answers, each after its acknowledgement), flush, exit 0. A request answered 200 was
 * acknowledged by Kafka with acks=all before the answer was written.
 */
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { KafkaConnection } from '../../config/kafka-connection.js';
import { PortInUseError } from '../../errors.js';
import type { Compression, Partitioner } from '../../kafka/client-props.js';
import { KafkaProducer } from '../../kafka/producer.js';
import type { Logger } from '../../observability/logger.js';
import { createRegistry, localMetrics, startMetricsServer, type MetricsServer } from '../../observability/metrics.js';
import type { AdmissionLimits } from '../publish/admission.js';
import { buildProducerApp, type ProducerAppOptions } from '../app.js';
import { workerMetrics } from './cluster.js';
import { publisherOver } from '../publish/publisher.js';
import { loadTls, watchTls, type TlsFiles } from './tls-files.js';

/** What the app takes as it is, plus what only the server needs (Kafka, listening, shutdown). */
export type ProducerServerOptions = Pick<
  ProducerAppOptions,
  'info' | 'eventsTopic' | 'topicAllow' | 'corsOrigins' | 'tokens' | 'enrich' | 'bodyLimit' | 'batchLimit' | 'strictClusterId'
> & {
  readonly admission: AdmissionLimits;
  /** HTTPS: the PEM files, read again every `reloadEveryMs` (a renewed certificate is taken without a restart) */
  readonly tls?: TlsFiles & { readonly reloadEveryMs: number };
  readonly conn: KafkaConnection;
  readonly host: string;
  readonly port: number;
  readonly produceTimeoutMs: number;
  readonly clientId: string;
  readonly kafkaBatchSize: number;
  readonly maxRetries: number;
  readonly compression: Compression;
  /** librdkafka's name: which partition a keyed record goes to */
  readonly partitioner: Partitioner;
  readonly readTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly metrics: boolean;
  readonly metricsPort: number | undefined;
};

/** Ask for metadata this often; refuse new messages as never sent once none came for METADATA_FRESH_MS. */
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
  // a certificate that cannot load is a usage error before anything connects
  const tls = opts.tls ? loadTls(opts.tls) : undefined;
  const producer = await KafkaProducer.connect(opts.conn, {
    clientId: opts.clientId,
    logger,
    profile: {
      kind: 'ingest',
      deliveryTimeoutMs: opts.produceTimeoutMs,
      compression: opts.compression,
      partitioner: opts.partitioner,
      batchSize: opts.kafkaBatchSize,
      maxRetries: opts.maxRetries,
      queueMaxMessages: opts.admission.records,
      queueMaxBytes: opts.admission.bytes,
    },
    statsIntervalMs: 1000,
    refuseWhileDown: true,
    metadataProbe: { everyMs: METADATA_EVERY_MS, staleAfterMs: METADATA_FRESH_MS },
    reportOnClose: true,
  });
  const publisher = publisherOver(producer);
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
    admission: opts.admission,
    strictClusterId: opts.strictClusterId,
    topicAllow: opts.topicAllow,
    tokens: opts.tokens,
    corsOrigins: opts.corsOrigins,
    enrich: opts.enrich,
    eventsTopic: opts.eventsTopic,
    metricsHere: opts.metrics && !separateMetrics,
    metricsSource,
    requestTimeoutMs: opts.readTimeoutMs,
    connectionTimeoutMs: opts.writeTimeoutMs,
    ...(tls ? { tls } : {}),
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
    await app.close();
    await producer.close(1000).catch(() => undefined);
    throw err;
  }
  const address = app.server.address();
  const stopWatchingTls =
    tls && opts.tls
      ? watchTls(opts.tls, tls, opts.tls.reloadEveryMs, {
          apply: (next) => {
            // new handshakes get the new pair; open connections keep theirs
            (app.server as unknown as TlsServer).setSecureContext({
              cert: next.cert,
              key: next.key,
              ...(next.ca ? { ca: next.ca } : {}),
            });
            logger.info('TLS certificate reloaded', { subject: next.subject, valid_to: next.validTo });
          },
          refused: (err) => logger.warn('TLS files changed but do not load; serving the previous certificate', { error: err.message }),
        })
      : undefined;
  logger.info('serve-producer listening', {
    url: typeof address === 'object' && address ? `${tls ? 'https' : 'http'}://${opts.host}:${address.port}` : String(address),
    ...(tls ? { tls_subject: tls.subject, tls_valid_to: tls.validTo, client_certificates: tls.ca ? 'required' : 'no' } : {}),
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
      const plan = shutdownPlan(opts.shutdownTimeoutMs);
      stopWatchingTls?.();
      logger.info('shutting down', { signal, in_flight: producer.inFlight, answer_within_ms: plan.drainMs, flush_within_ms: plan.flushMs });
      void (async () => {
        // answers first (each 200 waited for its ack); a client still sending at the drain's
        // deadline (a slow body, a stream) is cut off, so that the flush always gets its time
        const cutOff = await drainWithin(app, plan.drainMs);
        if (cutOff > 0) {
          logger.warn('connections still open at the shutdown deadline were closed', { requests_cut_off: cutOff, after_ms: plan.drainMs });
        }
        logger.debug('HTTP server closed');
        app.services.failureLog.flush();
        await metricsServer?.close();
        // a last bound, in case librdkafka's flush ignores its own timeout
        const hardStop = setTimeout(() => {
          logger.error('the producer did not close in time at shutdown', { in_flight: producer.inFlight });
          resolve(1);
        }, plan.flushMs + HARD_STOP_GRACE_MS);
        hardStop.unref();
        try {
          await producer.close(plan.flushMs);
          logger.info('stopped: every acknowledged message is in Kafka');
          resolve(0);
        } catch (err) {
          logger.error('flush failed at shutdown', { error: (err as Error).message });
          resolve(1);
        } finally {
          clearTimeout(hardStop);
        }
      })();
    });
  });
}

/** Past the flush's own timeout, the most a shutdown waits for the producer to close. */
const HARD_STOP_GRACE_MS = 2000;

/**
 * How --shutdown-timeout is shared: requests get the time the flush does not need, the flush
 * at least a quarter of it (up to 5 s: what is in librdkafka's queue goes out in well under a
 * second when the brokers answer). Both together never pass the timeout.
 */
export function shutdownPlan(timeoutMs: number): { readonly drainMs: number; readonly flushMs: number } {
  const flushMs = Math.min(5000, Math.max(100, Math.floor(timeoutMs / 4)));
  return { drainMs: Math.max(0, timeoutMs - flushMs), flushMs };
}

/**
 * Drains the app (plugins/graceful-drain.ts); what is still open after `ms` is destroyed.
 * Resolves with how many requests were cut off.
 */
async function drainWithin(app: FastifyInstance, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const drained = app.drain().then(() => 'drained' as const);
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const first = await Promise.race([drained, late]);
  clearTimeout(timer);
  if (first === 'drained') return 0;
  const cutOff = app.activeRequests();
  app.server.closeAllConnections();
  // every socket is gone: the drain ends as their 'close' events arrive
  await Promise.race([drained, new Promise((r) => setTimeout(r, 1000).unref())]);
  return cutOff;
}
