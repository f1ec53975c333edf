/**
 * The serve-producer HTTP application, built apart from `listen` so that tests drive it with
 * `inject`. Shared services are decorated once (`app.services`, services.ts); each concern is a
 * plugin (plugins/: JSON bodies, security headers, bearer auth, request metrics and logs, error
 * answers, docs) and each route group too (routes/). Request bodies are validated by the JSON
 * Schemas in schemas/, the same files the OpenAPI document is generated from.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { localMetrics, type MetricsSource } from '../observability/metrics.js';
import { LogThrottle } from '../observability/log-throttle.js';
import { jsonFormats } from '../protocol/json-safety.js';
import { loadSchema } from '../protocol/validators.js';
import { AdmissionBudget, DEFAULT_ADMISSION, type AdmissionLimits } from './publish/admission.js';
import { answerClientError, MAX_PATH_SEGMENT, requestTimedOut, routerErrorOf } from './errors/client-errors.js';
import { errorFormatOfPath } from './errors/error-shapes.js';
import { createHttpMetrics } from './http-metrics.js';
import admissionCheck from './plugins/admission-check.js';
import bearerAuth from './plugins/bearer-auth.js';
import docs from './plugins/docs.js';
import errorAnswers, { sendError } from './plugins/error-answers.js';
import gracefulDrain from './plugins/graceful-drain.js';
import jsonBodies from './plugins/json-bodies.js';
import requestLog from './plugins/request-log.js';
import securityHeaders from './plugins/security-headers.js';
import type { Publisher } from './publish/publisher.js';
import type { TlsMaterial } from './process/tls-files.js';
import kafkaRestDiscoveryRoutes from './routes/kafka-rest-discovery.js';
import kafkaRestV2Routes from './routes/kafka-rest-v2.js';
import kafkaRestV3Routes from './routes/kafka-rest-v3.js';
import produceRoutes from './routes/produce.js';
import systemRoutes from './routes/system.js';
import typedEventRoutes from './routes/typed-events.js';
import { schemaNames } from './schema-refs.js';
import { TopicCatalog } from './publish/topic-catalog.js';
import type { AppInfo, ProducerServices } from './services.js';
import type { Tracing } from '../tracing/tracing.js';
import requestTracing from './plugins/request-tracing.js';
import idempotency from './plugins/idempotency.js';
import type { KeyedRequests } from './idempotency/idempotency-store.js';
import { RegistryClient } from '../schema/registry-client.js';
import { SchemaResolver } from '../schema/schema-resolver.js';

/** What serve-producer's settings decide about the app: built once by its command, handed on whole. */
export interface HttpAppSettings {
  readonly info: AppInfo;
  readonly bodyLimit: number;
  readonly batchLimit: number;
  /** what the server accepts and holds until Kafka answers (DEFAULT_ADMISSION when absent) */
  readonly admission?: AdmissionLimits;
  /** v3 produce routes: 404 for a cluster id that is not the cluster's (else any id is taken) */
  readonly strictClusterId?: boolean;
  /** topics clients may name; undefined allows all */
  readonly topicAllow: RegExp | undefined;
  /** bearer tokens; empty means no authentication */
  readonly tokens: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly enrich: boolean;
  /** where /api/v1/events/* go */
  readonly eventsTopic: string;
  /** --read-timeout: the longest time to receive a request's headers and body */
  readonly requestTimeoutMs: number;
  /** --write-timeout: an idle connection (keep-alive between requests included) is closed after this */
  readonly connectionTimeoutMs: number;
  /** --schema-registry-*: where schema-typed records find their schemas; without it they are refused */
  readonly schemaRegistry?: SchemaRegistrySettings;
}

export interface SchemaRegistrySettings {
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** PEM file of the CA that signed an HTTPS registry's certificate, read once at start-up */
  readonly caPath?: string;
  readonly timeoutMs: number;
}

/** A subject's latest version is asked again after this (a new version shows within it); ids and versions are kept for good. */
const LATEST_SCHEMA_TTL_MS = 30_000;

function schemaResolver(settings: SchemaRegistrySettings | undefined): SchemaResolver | undefined {
  if (!settings) return undefined;
  const { caPath, ...rest } = settings;
  return new SchemaResolver(
    new RegistryClient({ ...rest, latestTtlMs: LATEST_SCHEMA_TTL_MS, ...(caPath !== undefined ? { ca: readFileSync(caPath) } : {}) }),
  );
}

/** The settings, and what the process running the app provides. */
export interface ProducerAppOptions extends HttpAppSettings {
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly registry: Registry;
  /** serve HTTPS with this certificate (and require client certificates from this CA, if any) */
  readonly tls?: Pick<TlsMaterial, 'cert' | 'key' | 'ca'>;
  /** serve /metrics on this app's port */
  readonly metricsHere: boolean;
  /** what /metrics and the event stats report: the registry's, or every worker's added up */
  readonly metricsSource?: MetricsSource;
  readonly now?: () => Date;
  /** a monotonic clock in ms, for the topic catalog's ages (performance.now by default) */
  readonly clock?: () => number;
  /** OpenTelemetry, when on: a server span per request (plugins/request-tracing.ts) */
  readonly tracing?: Tracing;
  /** Idempotency-Key on the produce routes (plugins/idempotency.ts); without it the header is refused */
  readonly idempotency?: KeyedRequests;
}

/** Node's server timeouts for a --read-timeout: headers and the whole request within it, checked often enough to hold it. */
export function serverTimeouts(readTimeoutMs: number): {
  requestTimeout: number;
  headersTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    requestTimeout: readTimeoutMs,
    headersTimeout: readTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(readTimeoutMs / 4))),
  };
}

/** Produce failures logged one by one: this many per kind and minute, then a count. */
const FAILURE_LOG = { burst: 10, intervalMs: 60_000 } as const;

/** A known topic is trusted this long; a name not found is asked for again at most this often. */
const CATALOG = { maxAgeMs: 10_000, missRefreshMs: 500, timeoutMs: 5000 } as const;

export async function buildProducerApp(opts: ProducerAppOptions): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions(opts));
  for (const name of schemaNames) app.addSchema(loadSchema(name));
  app.decorate('services', servicesOf(opts));
  // first: the span covers every later hook
  if (opts.tracing) await app.register(requestTracing, { tracing: opts.tracing });

  await app.register(gracefulDrain, {
    readTimeoutMs: opts.requestTimeoutMs,
    readTimedOut: (socket) => answerClientError(requestTimedOut(), socket, opts.requestTimeoutMs),
  });
  await app.register(jsonBodies);
  await app.register(securityHeaders, { https: opts.tls !== undefined });
  if (opts.corsOrigins.length > 0) {
    await app.register((await import('@fastify/cors')).default, { origin: [...opts.corsOrigins], methods: ['GET', 'POST'] });
  }
  await app.register(docs, { version: opts.info.version, bearer: opts.tokens.length > 0, https: opts.tls !== undefined });
  await app.register(bearerAuth, { tokens: opts.tokens });
  await app.register(requestLog);
  await app.register(admissionCheck);
  // after authentication: an unauthenticated request claims nothing
  await app.register(idempotency, { store: opts.idempotency });
  // the not-found handler it sets gets the root's hooks when the app is ready (fastify), so an
  // unknown path is authenticated, counted and secured like any other
  await app.register(errorAnswers);

  await app.register(systemRoutes);
  await app.register(produceRoutes);
  await app.register(typedEventRoutes);
  await app.register(kafkaRestV2Routes);
  await app.register(kafkaRestV3Routes);
  await app.register(kafkaRestDiscoveryRoutes);
  return app;
}

/** Fastify's server: limits, timeouts, HTTPS, and the ajv every route's schema compiles with. */
function fastifyOptions(opts: ProducerAppOptions): FastifyServerOptions {
  return {
    logger: false,
    bodyLimit: opts.bodyLimit,
    // Node checks these only when the server is made (fastify sets requestTimeout after), and
    // looks for expired requests every connectionsCheckingInterval (30 s by default): a body sent
    // a byte every 5 s was answered 408 after 88 s whatever --read-timeout said.
    ...(opts.tls
      ? {
          https: {
            ...serverTimeouts(opts.requestTimeoutMs),
            // a connection that never finishes its handshake holds a descriptor: Node's default lets it live 120 s
            handshakeTimeout: opts.requestTimeoutMs,
            cert: opts.tls.cert,
            key: opts.tls.key,
            // a client CA: a client without a certificate that chains to it cannot connect
            ...(opts.tls.ca ? { ca: opts.tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
          },
        }
      : { http: serverTimeouts(opts.requestTimeoutMs) }),
    requestTimeout: opts.requestTimeoutMs,
    connectionTimeout: opts.connectionTimeoutMs,
    // fastify's default keeps an idle keep-alive connection 72 s; --write-timeout says how long
    keepAliveTimeout: opts.connectionTimeoutMs,
    return503OnClosing: true,
    // Kafka's topic names run to 249 characters (fastify's default takes 100); past it, and for
    // what Node refuses before any route, an answer in the path's own family's shape
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    frameworkErrors: (err, req, reply) => sendError(reply, routerErrorOf(err.code), errorFormatOfPath(req.url)),
    clientErrorHandler: (err, socket) => answerClientError(err, socket, opts.requestTimeoutMs),
    ajv: {
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        allErrors: true,
        useDefaults: false,
        formats: jsonFormats,
        ownProperties: true,
      },
    },
  };
}

/** What every route shares (services.ts), made once per app. */
function servicesOf(opts: ProducerAppOptions): ProducerServices {
  const admission = new AdmissionBudget(opts.admission ?? DEFAULT_ADMISSION);
  const clock = opts.clock ?? (() => performance.now());
  const catalog = new TopicCatalog({ ...CATALOG, fetch: (timeoutMs) => opts.publisher.topics(timeoutMs), now: clock });
  return {
    publisher: opts.publisher,
    logger: opts.logger,
    metrics: createHttpMetrics(opts.registry, opts.publisher, admission, (topic) => catalog.has(topic)),
    admission,
    failureLog: new LogThrottle({ logger: opts.logger, burst: FAILURE_LOG.burst, intervalMs: FAILURE_LOG.intervalMs, now: clock }),
    metricsSource: opts.metricsSource ?? localMetrics(opts.registry),
    info: opts.info,
    topicAllow: opts.topicAllow,
    eventsTopic: opts.eventsTopic,
    enrich: opts.enrich,
    batchLimit: opts.batchLimit,
    readTimeoutMs: opts.requestTimeoutMs,
    strictClusterId: opts.strictClusterId ?? false,
    metricsHere: opts.metricsHere,
    now: opts.now ?? (() => new Date()),
    catalog,
    schemas: schemaResolver(opts.schemaRegistry),
    tracing: opts.tracing,
    idempotency: opts.idempotency,
  };
}
