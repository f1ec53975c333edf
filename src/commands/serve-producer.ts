import { kafkaSettings, logSettings, topicName } from '../config/common-settings.js';
import { parse, ParseFailure, type Setting } from '../config/setting.js';
import { schemaRegistrySettings } from '../config/schema-registry-settings.js';
import { idempotencySettings } from '../config/idempotency-settings.js';
import { traceConfigOf, tracingSettings } from '../tracing/tracing-settings.js';
import { ConfigError, describeError } from '../errors.js';
import isSafeRegex from 'safe-regex2';
import { DEFAULT_ADMISSION } from '../http/publish/admission.js';
import { containerCpus, workerShare } from '../http/process/container-cpus.js';
import { compressions, partitioners, PRODUCE_TIMEOUT_GRACE_MS, type Compression, type Partitioner } from '../kafka/client-props.js';
import type { KafkaConnection } from '../config/kafka-connection.js';
import type { ValuesOf } from '../config/resolve.js';
import type { ProducerServerOptions } from '../http/process/server.js';
import type { TraceConfig } from '../tracing/tracing.js';
import { connectionOf, loggerFrom } from './common.js';
import { defineCommand } from './command-spec.js';

function regex(raw: string): RegExp {
  let re: RegExp;
  try {
    // anchored: "orders" allows orders, not orders-secret
    re = new RegExp(`^(?:${raw})$`);
  } catch (err) {
    throw new ParseFailure(`must be a regular expression: ${(err as Error).message}`);
  }
  // Every request's topic is matched against it: a pattern that can backtrack exponentially
  // ((a+)+ on "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab" takes 18 s) would let one request stall the server.
  if (!isSafeRegex(re)) {
    throw new ParseFailure(
      `'${raw}' can take exponential time on some topic names (a repeated group inside a repetition, such as (a+)+); write it without nested repetition, e.g. a+ or (orders|events)-.*`,
    );
  }
  return re;
}

/** --workers: more processes than this share too little of anything to help */
const MAX_WORKERS = 64;

const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** "host:port", ":port" or "port", as SERVER_ADDRESS was written for the Go service */
interface ServerAddress {
  readonly host: string | undefined;
  readonly port: number;
}

function address(raw: string): ServerAddress {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(raw.trim());
  if (!m || Number(m[2]) > 65_535) throw new ParseFailure(`must be host:port, :port or port, got '${raw}'`);
  return { host: m[1] || undefined, port: Number(m[2]) };
}

const settings = {
  host: {
    flags: '--host <address>',
    env: 'PRODUCER_HOST',
    description: 'address to listen on',
    default: '0.0.0.0',
    // SERVER_ADDRESS, as the Go service took it, when no flag or PRODUCER_HOST says otherwise
    derive: (v) => (v.serverAddress as ServerAddress | undefined)?.host,
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  port: {
    flags: '--port <port>',
    env: 'PRODUCER_PORT',
    envAliases: ['PORT'],
    description: 'HTTP port',
    default: 8001,
    derive: (v) => (v.serverAddress as ServerAddress | undefined)?.port,
    parse: parse.port,
  } satisfies Setting<number>,
  serverAddress: {
    env: 'SERVER_ADDRESS',
    description: 'host:port or :port (as the Go service took it); --host/--port and PRODUCER_HOST/PRODUCER_PORT win over it',
    parse: address,
  } satisfies Setting<ServerAddress>,
  topic: {
    flags: '--topic <topic>',
    env: 'KAFKA_TOPIC',
    description: 'topic of /api/v1/events/*',
    default: 'events',
    parse: topicName,
  } satisfies Setting<string>,
  topics: {
    flags: '--topics <regex>',
    env: 'PRODUCER_TOPIC_ALLOW',
    description: 'allowlist: topics clients may name (anchored regex; default: any)',
    parse: regex,
  } satisfies Setting<RegExp>,
  corsOrigin: {
    flags: '--cors-origin <origins>',
    env: 'PRODUCER_CORS_ORIGINS',
    description: 'comma-separated origins allowed by CORS (default: none)',
    default: [],
    parse: list,
  } satisfies Setting<string[]>,
  apiTokens: {
    env: 'PRODUCER_API_TOKENS',
    description: 'comma-separated bearer tokens; when set, every route but /health, /ready, /metrics and /docs needs one',
    default: [],
    parse: list,
    secret: true,
  } satisfies Setting<string[]>,
  enrich: {
    flags: '--no-enrich',
    env: 'PRODUCER_ENRICH',
    description: 'do not add timestamp, source and server_time to object messages',
    defaultLabel: 'enrich (PRODUCER_ENRICH=true)',
    switch: true,
    default: true,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  bodyLimit: {
    flags: '--body-limit <size>',
    env: 'PRODUCER_BODY_LIMIT',
    description: 'largest request body (413 above it)',
    default: 1024 * 1024,
    defaultLabel: '1mb',
    parse: parse.bytes({ min: 1024, max: 256 * 1024 * 1024 }),
  } satisfies Setting<number>,
  batchLimit: {
    flags: '--batch-limit <n>',
    env: 'PRODUCER_BATCH_LIMIT',
    description: 'most items in one /produce/batch (413 above it) or /v3/.../records:batch (422)',
    default: 1000,
    parse: parse.int(1, 100_000),
  } satisfies Setting<number>,
  maxPendingRecords: {
    flags: '--max-pending-records <n>',
    env: 'PRODUCER_MAX_PENDING_RECORDS',
    description:
      "most records accepted and not yet acknowledged by Kafka, over every route (?async=true too); past it a request is answered 429 with Retry-After and nothing is written. Also librdkafka's queue.buffering.max.messages",
    default: DEFAULT_ADMISSION.records,
    parse: parse.int(1, 10_000_000),
  } satisfies Setting<number>,
  maxPendingBytes: {
    flags: '--max-pending-bytes <size>',
    env: 'PRODUCER_MAX_PENDING_BYTES',
    description:
      "most key, value and header bytes of those records; past it, 429. Also librdkafka's queue.buffering.max.kbytes. At least --body-limit",
    default: DEFAULT_ADMISSION.bytes,
    defaultLabel: '64mb',
    parse: parse.bytes({ min: 1024, max: 2 * 1024 * 1024 * 1024 - 1 }),
  } satisfies Setting<number>,
  produceTimeout: {
    flags: '--produce-timeout <duration>',
    env: 'PRODUCER_PRODUCE_TIMEOUT',
    description: `answer 504 (outcome unknown) when Kafka has not acknowledged within this; the answer comes at most ${PRODUCE_TIMEOUT_GRACE_MS / 1000} s later (librdkafka's own timeout, then a last check)`,
    default: 10_000,
    parse: parse.duration({ minMs: 100, maxMs: 900_000 }),
  } satisfies Setting<number>,
  clientId: {
    flags: '--client-id <id>',
    env: 'KAFKA_CLIENT_ID',
    description: 'Kafka client id',
    default: 'streamforge-producer',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  kafkaBatchSize: {
    flags: '--kafka-batch-size <n>',
    env: 'KAFKA_BATCH_SIZE',
    description: 'most messages per Kafka batch (librdkafka batch.num.messages)',
    default: 10_000,
    parse: parse.int(1, 1_000_000),
  } satisfies Setting<number>,
  maxRetries: {
    flags: '--max-retries <n>',
    env: 'KAFKA_MAX_RETRIES',
    description: 'retries of a failed send, with exponential backoff (100 ms to 1 s), within --produce-timeout',
    default: 10,
    parse: parse.int(1, 2_147_483_647),
  } satisfies Setting<number>,
  compression: {
    flags: '--compression <codec>',
    env: 'KAFKA_COMPRESSION',
    description: `compression: ${compressions.join(', ')}`,
    default: 'snappy',
    parse: parse.oneOf(compressions, (s) => s.toLowerCase()),
  } satisfies Setting<Compression>,
  partitioner: {
    flags: '--partitioner <name>',
    env: 'KAFKA_PARTITIONER',
    description:
      "which partition a keyed record goes to: murmur2_random as Java clients, the Strimzi Bridge and the Confluent REST Proxy place keys (choose it when replacing one of them, or a key's records change partition); consistent_random as librdkafka clients (kcat, confluent-kafka-python) do. Unkeyed records are spread either way",
    default: 'consistent_random',
    parse: parse.oneOf(partitioners, (s) => s.toLowerCase()),
  } satisfies Setting<Partitioner>,
  readTimeout: {
    flags: '--read-timeout <duration>',
    env: 'SERVER_READ_TIMEOUT',
    description: 'longest time to receive a request, headers and body (408 past it; a stream of v3 records included)',
    default: 15_000,
    parse: parse.duration({ minMs: 100 }),
  } satisfies Setting<number>,
  writeTimeout: {
    flags: '--write-timeout <duration>',
    env: 'SERVER_WRITE_TIMEOUT',
    description: 'close a connection idle for this long, between requests (keep-alive) or within one',
    default: 15_000,
    parse: parse.duration({ minMs: 100 }),
  } satisfies Setting<number>,
  shutdownTimeout: {
    flags: '--shutdown-timeout <duration>',
    env: 'SERVER_SHUTDOWN_TIMEOUT',
    description:
      "on SIGTERM: the longest the shutdown takes, whatever Kafka does: time to finish requests and flush Kafka; requests still open at three quarters of it are cut off so that the flush gets the rest (at most 5 s), and a request still sending its body is answered 408 at its --read-timeout. Keep it below the pod's terminationGracePeriodSeconds (30 s by default)",
    default: 20_000,
    parse: parse.duration({ minMs: 100 }),
  } satisfies Setting<number>,
  tlsCert: {
    flags: '--tls-cert <file>',
    env: 'PRODUCER_TLS_CERT',
    description: 'serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key. Re-read when the file changes',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  tlsKey: {
    flags: '--tls-key <file>',
    env: 'PRODUCER_TLS_KEY',
    description: 'the PEM private key of --tls-cert',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  tlsClientCa: {
    flags: '--tls-client-ca <file>',
    env: 'PRODUCER_TLS_CLIENT_CA',
    description:
      'require a client certificate that chains to this PEM CA (mutual TLS; the subject is in the request log). Probes then need --metrics-port, which stays plain HTTP',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  tlsReloadInterval: {
    flags: '--tls-reload-interval <duration>',
    env: 'PRODUCER_TLS_RELOAD_INTERVAL',
    description: 'how often the TLS files are checked for a renewed certificate (cert-manager rewrites the Secret)',
    default: 10_000,
    parse: parse.duration({ minMs: 100 }),
  } satisfies Setting<number>,
  strictClusterId: {
    flags: '--strict-cluster-id',
    env: 'PRODUCER_STRICT_CLUSTER_ID',
    description:
      "answer 404 on /v3/clusters/{id}/topics/... when {id} is not the cluster's id (by default any id is taken there, as a self-managed Confluent REST Proxy does; GET /v3/clusters/{id} is always exact)",
    defaultLabel: 'any id (PRODUCER_STRICT_CLUSTER_ID=false)',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  metrics: {
    flags: '--no-metrics',
    env: 'METRICS_ENABLED',
    description: 'do not serve /metrics',
    defaultLabel: 'served (METRICS_ENABLED=true)',
    switch: true,
    default: true,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  metricsPort: {
    flags: '--metrics-port <port>',
    env: 'METRICS_PORT',
    description: '/metrics on its own port (default: on the HTTP port)',
    parse: parse.port,
  } satisfies Setting<number>,
  workers: {
    flags: '--workers <n>',
    env: 'PRODUCER_WORKERS',
    description:
      'server processes sharing the port, each with its own Kafka producer (one JavaScript thread is the limit of one) and an even share of --max-pending-records and --max-pending-bytes; /metrics and the stats add up all of them',
    default: 1,
    derive: () => containerCpus(MAX_WORKERS),
    defaultLabel: 'the CPUs the container may use (its cgroup CPU limit, rounded down, else the cores; at least 1)',
    parse: parse.int(1, MAX_WORKERS),
  } satisfies Setting<number>,
  appName: {
    flags: '--app-name <name>',
    env: 'APP_NAME',
    description: 'name in GET / and in enriched messages (source)',
    default: 'streamforge-producer',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  appVersion: {
    flags: '--app-version <version>',
    env: 'APP_VERSION',
    description: 'version in GET /',
    defaultLabel: 'the package version',
    derive: (_v, facts) => facts.version,
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  appEnv: {
    flags: '--app-env <env>',
    env: 'APP_ENV',
    description: 'environment in GET /: development, staging, production',
    default: 'development',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  ...idempotencySettings,
  ...schemaRegistrySettings,
  ...tracingSettings,
  ...kafkaSettings,
  ...logSettings,
};

/** exported for the tests of its parsers */
export { settings as serveProducerSettings };

type Values = ValuesOf<typeof settings>;

/** Settings that are fine one by one but not together: refused before anything starts (exit 2). */
function checkCombinations(v: Values): void {
  if (v.metricsPort !== undefined && v.metricsPort === v.port && v.port !== 0) {
    throw new ConfigError(
      `--metrics-port ${v.metricsPort} is the HTTP port`,
      'leave --metrics-port unset to serve /metrics on the HTTP port',
    );
  }
  if (v.maxPendingBytes < v.bodyLimit) {
    throw new ConfigError(
      `--max-pending-bytes ${v.maxPendingBytes} is less than --body-limit ${v.bodyLimit}: a request the body limit allows could never be admitted`,
      'raise --max-pending-bytes, or lower --body-limit',
    );
  }
  if (v.maxPendingRecords < v.batchLimit) {
    throw new ConfigError(
      `--max-pending-records ${v.maxPendingRecords} is less than --batch-limit ${v.batchLimit}: a batch the limit allows could never be admitted`,
      'raise --max-pending-records, or lower --batch-limit',
    );
  }
  if ((v.tlsCert === undefined) !== (v.tlsKey === undefined)) {
    throw new ConfigError(
      `${v.tlsCert === undefined ? '--tls-key' : '--tls-cert'} is set without ${v.tlsCert === undefined ? '--tls-cert' : '--tls-key'}`,
      'HTTPS needs both the certificate (--tls-cert / PRODUCER_TLS_CERT) and its key (--tls-key / PRODUCER_TLS_KEY)',
    );
  }
  if (v.schemaRegistryUrl === undefined && (v.schemaRegistryUser !== undefined || v.schemaRegistryCa !== undefined)) {
    throw new ConfigError(
      `${v.schemaRegistryUser !== undefined ? '--schema-registry-user' : '--schema-registry-ca'} is set without --schema-registry-url`,
      'set --schema-registry-url (SCHEMA_REGISTRY_URL) too, or leave the registry settings out',
    );
  }
  if (v.schemaRegistryUser !== undefined && v.schemaRegistryPassword === undefined) {
    throw new ConfigError(
      '--schema-registry-user is set without SCHEMA_REGISTRY_PASSWORD',
      "set the registry's password in SCHEMA_REGISTRY_PASSWORD (environment or .env), or leave the user out",
    );
  }
  if (v.tlsClientCa !== undefined && v.tlsCert === undefined) {
    throw new ConfigError('--tls-client-ca is set without --tls-cert', 'client certificates need HTTPS: set --tls-cert and --tls-key too');
  }
}

/** The settings as the one options object the server hands on: the app's part whole, Kafka's, the listener's. */
export function serverOptions(v: Values, conn: KafkaConnection): ProducerServerOptions {
  return {
    app: {
      info: { name: v.appName, version: v.appVersion, env: v.appEnv },
      eventsTopic: v.topic,
      topicAllow: v.topics,
      corsOrigins: v.corsOrigin,
      tokens: v.apiTokens,
      enrich: v.enrich,
      bodyLimit: v.bodyLimit,
      batchLimit: v.batchLimit,
      // the budgets are the server's: each worker admits its share
      admission: {
        records: workerShare(v.maxPendingRecords, v.workers, v.batchLimit),
        bytes: workerShare(v.maxPendingBytes, v.workers, v.bodyLimit),
      },
      strictClusterId: v.strictClusterId,
      requestTimeoutMs: v.readTimeout,
      connectionTimeoutMs: v.writeTimeout,
      ...(v.schemaRegistryUrl !== undefined
        ? {
            schemaRegistry: {
              url: v.schemaRegistryUrl,
              timeoutMs: v.schemaRegistryTimeout,
              ...(v.schemaRegistryUser !== undefined ? { user: v.schemaRegistryUser, password: v.schemaRegistryPassword } : {}),
              ...(v.schemaRegistryCa !== undefined ? { caPath: v.schemaRegistryCa } : {}),
            },
          }
        : {}),
    },
    kafka: {
      conn,
      clientId: v.clientId,
      profile: {
        kind: 'ingest',
        deliveryTimeoutMs: v.produceTimeout,
        compression: v.compression,
        partitioner: v.partitioner,
        batchSize: v.kafkaBatchSize,
        maxRetries: v.maxRetries,
      },
    },
    listen: {
      host: v.host,
      port: v.port,
      ...(v.tlsCert !== undefined && v.tlsKey !== undefined
        ? {
            tls: {
              certPath: v.tlsCert,
              keyPath: v.tlsKey,
              ...(v.tlsClientCa !== undefined ? { clientCaPath: v.tlsClientCa } : {}),
              reloadEveryMs: v.tlsReloadInterval,
            },
          }
        : {}),
      metrics: v.metrics,
      metricsPort: v.metricsPort,
    },
    shutdownTimeoutMs: v.shutdownTimeout,
    ...(v.idempotency
      ? {
          idempotency: {
            topic: v.idempotencyTopic,
            ttlMs: v.idempotencyTtl,
            transactionTimeoutMs: v.idempotencyTransactionTimeout,
            replicaId: v.replicaId,
          },
        }
      : {}),
    ...(v.tracesExporter === 'otlp' ? { tracing: traceConfigOf(v, 'serve-producer', v.appVersion) as TraceConfig } : {}),
  };
}

export const serveProducerCommand = defineCommand({
  name: 'serve-producer',
  summary:
    'HTTP ingestion: JSON in, Kafka records out, with the offsets Kafka assigned; also the Strimzi Bridge and Confluent REST Proxy (v2, v3) produce routes',
  description:
    'Serves POST /produce, /produce/batch and /api/v1/events/{user,order,payment}, and the produce APIs of the Strimzi Kafka Bridge and the Confluent REST Proxy (POST /topics/{topic}, /v3/clusters/{id}/topics/{topic}/records and records:batch). Every success answers once Kafka has acknowledged the message (acks=all, idempotent) with its real partition and offset. More records waiting for Kafka than --max-pending-records / --max-pending-bytes: 429 with Retry-After, nothing written. Kafka unavailable: 503 with Retry-After within --produce-timeout. /docs and /openapi.json describe the API. On SIGTERM: stops accepting, finishes requests, flushes Kafka, exits 0.',
  examples: [
    'streamforge serve-producer',
    "streamforge serve-producer --port 8080 --topics 'orders|events|user-.*' --cors-origin https://ops.example",
    'streamforge serve-producer --workers 1    # one process (the default: one per CPU the container may use)',
    'PRODUCER_API_TOKENS=t1,t2 KAFKA_USER=u KAFKA_PASSWORD=... KAFKA_CA_PATH=/ca.crt streamforge serve-producer',
    'streamforge serve-producer --tls-cert tls.crt --tls-key tls.key --tls-client-ca clients-ca.crt   # HTTPS, client certificates required',
    'streamforge serve-producer --max-pending-records 20000   # 429 with Retry-After past 20,000 records awaiting Kafka',
    'streamforge serve-producer --schema-registry-url http://schema-registry:8081   # Avro, JSON Schema and Protobuf records too',
    'curl -s localhost:8001/produce -H content-type:application/json -d \'{"topic":"test","key":"k","message":{"a":1}}\'',
  ],
  settings,
  async run(v, sources, ctx) {
    const { isClusterWorker, workerId } = await import('../http/process/cluster.js');
    const logger = await loggerFrom(v, ctx.stdout, isClusterWorker() ? { worker: workerId() } : undefined);
    try {
      checkCombinations(v);
      if (v.workers > 1 && !isClusterWorker()) {
        // the workers run this same command line and take the branch below
        const { runProducerCluster } = await import('../http/process/cluster.js');
        return await runProducerCluster({
          workers: v.workers,
          logger,
          shutdownTimeoutMs: v.shutdownTimeout,
          metricsPort: v.metrics === false ? undefined : v.metricsPort,
          host: v.host,
          onSignal: ctx.onSignal,
          nodeOptions: ctx.env.NODE_OPTIONS,
        });
      }
      const { runProducerServer } = await import('../http/process/server.js');
      return await runProducerServer(serverOptions(v, connectionOf(v, sources)), {
        logger,
        onSignal: ctx.onSignal,
        clusterWorker: isClusterWorker(),
        worker: workerId() ?? 0,
      });
    } catch (err) {
      const { code, message, hint } = describeError(err);
      logger.error(message, { code, hint });
      throw err;
    }
  },
});
