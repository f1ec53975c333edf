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
import type { IngestProfile } from '../../kafka/client-props.js';
import { KafkaProducer } from '../../kafka/producer.js';
import type { Logger } from '../../observability/logger.js';
import { createRegistry, localMetrics, startMetricsServer, type MetricsServer } from '../../observability/metrics.js';
import type { AdmissionLimits } from '../publish/admission.js';
import { buildProducerApp, type HttpAppSettings } from '../app.js';
import { workerMetrics } from './cluster.js';
import { publisherOver } from '../publish/publisher.js';
import { startTracing, type TraceConfig, type Tracing } from '../../tracing/tracing.js';
import { lazyIdempotency, type IdempotencyOptions, type IdempotencyService } from './idempotency-runtime.js';
import { loadTls, watchTls, type TlsFiles, type TlsMaterial } from './tls-files.js';

/**
 * serve-producer's options, as its command builds them once from the settings and hands them
 * on whole: what the app takes (`app`), how to produce (`kafka`), where to listen (`listen`).
 */
export interface ProducerServerOptions {
  readonly app: HttpAppSettings & { readonly admission: AdmissionLimits };
  readonly kafka: {
    readonly conn: KafkaConnection;
    readonly clientId: string;
    /** the ingest profile but its queue bounds, which are the admission budget's */
    readonly profile: Omit<IngestProfile, 'queueMaxMessages' | 'queueMaxBytes'>;
  };
  readonly listen: {
    readonly host: string;
    readonly port: number;
    /** HTTPS: the PEM files, read again every `reloadEveryMs` (a renewed certificate is taken without a restart) */
    readonly tls?: TlsFiles & { readonly reloadEveryMs: number };
    /** serve /metrics at all */
    readonly metrics: boolean;
    /** serve it on this port of its own rather than the HTTP port */
    readonly metricsPort: number | undefined;
  };
  readonly shutdownTimeoutMs: number;
  /** OpenTelemetry's settings when tracing is on */
  readonly tracing?: TraceConfig;
  /** Idempotency-Key's topics and bounds; without them the header is refused */
  readonly idempotency?: IdempotencyOptions;
}

interface ServerDeps {
  readonly logger: Logger;
  readonly onSignal: (handler: (signal: string) => void) => void;
  /** one of serve-producer --workers: metrics add up every worker's, the primary serves --metrics-port */
  readonly clusterWorker?: boolean;
  /** this worker's number among --workers (0 alone): part of its transactional id */
  readonly worker?: number;
}

/** Ask for metadata this often; refuse new messages as never sent once none came for METADATA_FRESH_MS. */
const METADATA_EVERY_MS = 5000;
const METADATA_FRESH_MS = 15_000;

export async function runProducerServer(opts: ProducerServerOptions, deps: ServerDeps): Promise<number> {
  const { logger } = deps;
  const { listen } = opts;
  // a certificate that cannot load is a usage error before anything connects
  const tls = listen.tls ? loadTls(listen.tls) : undefined;
  const tracing = await startTracing(opts.tracing, logger);
  const producer = await connectIngestProducer(opts, logger);
  const publisher = publisherOver(producer);
  const idempotency = opts.idempotency
    ? lazyIdempotency(opts.idempotency, {
        conn: opts.kafka.conn,
        clientId: opts.kafka.clientId,
        producer,
        profile: opts.kafka.profile,
        worker: deps.worker ?? 0,
        logger,
      })
    : undefined;
  const registry = createRegistry();
  const separateMetrics = listen.metrics && listen.metricsPort !== undefined && listen.metricsPort > 0;
  const metricsSource = deps.clusterWorker ? workerMetrics(registry) : localMetrics(registry);
  const app = await buildProducerApp({
    ...opts.app,
    publisher,
    logger,
    registry,
    metricsHere: listen.metrics && !separateMetrics,
    metricsSource,
    ...(tls ? { tls } : {}),
    ...(tracing ? { tracing } : {}),
    ...(idempotency ? { idempotency } : {}),
  });

  let metricsServer: MetricsServer | undefined;
  try {
    await app.listen({ host: listen.host, port: listen.port }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EADDRINUSE' ? new PortInUseError(listen.port, '--port / PRODUCER_PORT') : err;
    });
    if (separateMetrics && !deps.clusterWorker) {
      metricsServer = await startMetricsServer({
        port: listen.metricsPort as number,
        host: listen.host,
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
  const stopWatchingTls = tls && listen.tls ? reloadTls(app, listen.tls, tls, logger) : undefined;
  logListening(app, opts, tls, logger);
  return shutdownOnSignal({ app, producer, metricsServer, stopWatchingTls, tracing, idempotency, timeoutMs: opts.shutdownTimeoutMs }, deps);
}

/** The ingest producer, its queue bounded by the admission budget (what the budget admits fits in it). */
function connectIngestProducer(opts: ProducerServerOptions, logger: Logger): Promise<KafkaProducer> {
  const { admission } = opts.app;
  return KafkaProducer.connect(opts.kafka.conn, {
    clientId: opts.kafka.clientId,
    logger,
    profile: { ...opts.kafka.profile, queueMaxMessages: admission.records, queueMaxBytes: admission.bytes },
    statsIntervalMs: 1000,
    refuseWhileDown: true,
    metadataProbe: { everyMs: METADATA_EVERY_MS, staleAfterMs: METADATA_FRESH_MS },
    reportOnClose: true,
  });
}

/** Reads the TLS files again every reloadEveryMs; new handshakes get a renewed pair, open connections keep theirs. */
function reloadTls(
  app: FastifyInstance,
  files: TlsFiles & { readonly reloadEveryMs: number },
  current: TlsMaterial,
  logger: Logger,
): () => void {
  return watchTls(files, current, files.reloadEveryMs, {
    apply: (next) => {
      (app.server as unknown as TlsServer).setSecureContext({ cert: next.cert, key: next.key, ...(next.ca ? { ca: next.ca } : {}) });
      logger.info('TLS certificate reloaded', { subject: next.subject, valid_to: next.validTo });
    },
    refused: (err) => logger.warn('TLS files changed but do not load; serving the previous certificate', { error: err.message }),
  });
}

function logListening(app: FastifyInstance, opts: ProducerServerOptions, tls: TlsMaterial | undefined, logger: Logger): void {
  const address = app.server.address();
  const { conn } = opts.kafka;
  logger.info('serve-producer listening', {
    url: typeof address === 'object' && address ? `${tls ? 'https' : 'http'}://${opts.listen.host}:${address.port}` : String(address),
    ...(tls ? { tls_subject: tls.subject, tls_valid_to: tls.validTo, client_certificates: tls.ca ? 'required' : 'no' } : {}),
    brokers: conn.brokers,
    security_protocol: conn.securityProtocol,
    topics_allowed: opts.app.topicAllow?.source ?? 'any',
    auth: opts.app.tokens.length > 0 ? 'bearer' : 'none',
  });
}

interface Running {
  readonly app: FastifyInstance;
  readonly producer: KafkaProducer;
  readonly metricsServer: MetricsServer | undefined;
  readonly stopWatchingTls: (() => void) | undefined;
  readonly tracing: Tracing | undefined;
  readonly idempotency: IdempotencyService | undefined;
  readonly timeoutMs: number;
}

/** Resolves with the exit code once a signal has drained the app and flushed the producer. */
function shutdownOnSignal(r: Running, deps: ServerDeps): Promise<number> {
  const { logger } = deps;
  return new Promise<number>((resolve) => {
    let stopping = false;
    deps.onSignal((signal) => {
      if (stopping) return;
      stopping = true;
      const plan = shutdownPlan(r.timeoutMs);
      r.stopWatchingTls?.();
      logger.info('shutting down', {
        signal,
        in_flight: r.producer.inFlight,
        answer_within_ms: plan.drainMs,
        flush_within_ms: plan.flushMs,
      });
      // the flag bounds the whole shutdown, whatever Kafka does: past it, exit with what is known
      const deadline = setTimeout(() => {
        logger.error('the shutdown did not finish within --shutdown-timeout; exiting', {
          shutdown_timeout_ms: r.timeoutMs,
          in_flight: r.producer.inFlight,
        });
        resolve(r.producer.inFlight === 0 ? 0 : 1);
      }, r.timeoutMs);
      void (async () => {
        // answers first (each 200 waited for its ack); a client still sending at the drain's
        // deadline (a slow body, a stream) is cut off, so that the flush always gets its time
        const cutOff = await drainWithin(r.app, plan.drainMs);
        if (cutOff > 0) {
          logger.warn('connections still open at the shutdown deadline were closed', { requests_cut_off: cutOff, after_ms: plan.drainMs });
        }
        logger.debug('HTTP server closed');
        r.app.services.failureLog.flush();
        await r.metricsServer?.close();
        // every keyed request was answered: its transaction ended with it
        await r.idempotency?.close(plan.flushMs);
        const code = await closeProducer(r.producer, plan.flushMs, logger);
        // the last requests' spans, after their records (bounded: a collector down costs seconds at most)
        await r.tracing?.shutdown();
        clearTimeout(deadline);
        resolve(code);
      })();
    });
  });
}

/** 0 when every message handed to Kafka was acknowledged, 1 when the flush failed (the shutdown's deadline bounds the wait). */
function closeProducer(producer: KafkaProducer, flushMs: number, logger: Logger): Promise<number> {
  return producer.close(flushMs).then(
    () => {
      logger.info('stopped: every acknowledged message is in Kafka');
      return 0;
    },
    (err: unknown) => {
      logger.error('flush failed at shutdown', { error: (err as Error).message });
      return 1;
    },
  );
}

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
  // every socket is gone: the drain ends as their 'close' events arrive (a moment, taken from the flush's share)
  await Promise.race([drained, new Promise((r) => setTimeout(r, 100).unref())]);
  return cutOff;
}
