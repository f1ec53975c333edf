import { traceConfigOf, tracingSettings } from '../tracing/tracing-settings.js';
import { hostname } from 'node:os';
import { kafkaSettings, logSettings, metricsHostSetting, topicSettings } from '../config/common-settings.js';
import { parse, type Setting } from '../config/setting.js';
import { describeError } from '../errors.js';
import { connectionOf, loggerFrom } from './common.js';
import { defineCommand } from './command-spec.js';

const optionalText = (raw: string): string => raw.trim();

const settings = {
  queueId: {
    flags: '--queue-id <id>',
    env: 'QUEUE_ID',
    description: 'this service\'s queue id: it answers commands for this id and for "*"',
    defaultLabel: 'dummy-<hostname>',
    derive: () => `dummy-${hostname()}`,
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  symbol: {
    flags: '--symbol <symbol>',
    env: 'SYMBOL',
    description: 'ticker carried in events, e.g. BTCUSDT',
    parse: optionalText,
  } satisfies Setting<string>,
  timeRange: {
    flags: '--time-range <range>',
    env: 'TIME_RANGE',
    description: 'range carried in events, e.g. 2024-01-01:2024-01-02',
    parse: optionalText,
  } satisfies Setting<string>,
  type: {
    flags: '--type <type>',
    env: 'TYPE',
    description: 'source type carried in events: api, ws, dummy, ...',
    default: 'dummy',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  producerId: {
    flags: '--producer-id <id>',
    env: 'TELEMETRY_PRODUCER_ID',
    description: 'service name carried in events as "producer"',
    default: 'dummy',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  kafkaTopic: {
    flags: '--kafka-topic <topic>',
    env: 'KAFKA_TOPIC',
    description: 'data topic carried in events as kafka_topic (nothing is written to it)',
    parse: optionalText,
  } satisfies Setting<string>,
  groupId: {
    flags: '--group-id <group>',
    env: 'QUEUE_CONSUMER_GROUP',
    description:
      "consumer group that keeps the command reader's place: a command sent while the service is down is handled when it starts again",
    defaultLabel: "consumer-<queue-id>, the legacy dummy's group",
    derive: (v) => `consumer-${String(v.queueId)}`,
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  noop: {
    flags: '--noop',
    env: 'DUMMY_NOOP',
    description: 'send only "started": no command reader',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  exitOnPing: {
    flags: '--exit-on-ping',
    env: 'DUMMY_EXIT_ON_PING',
    description: 'answer the first ping, then finish (exit 0)',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  exitAfter: {
    flags: '--exit-after <duration>',
    env: 'DUMMY_EXIT_AFTER',
    description: 'send "finished" and exit 0 after this long',
    parse: parse.duration({ minMs: 1 }),
  } satisfies Setting<number>,
  failAfter: {
    flags: '--fail-after <duration>',
    env: 'DUMMY_FAIL_AFTER',
    description: 'send "error" and exit 1 after this long',
    parse: parse.duration({ minMs: 1 }),
  } satisfies Setting<number>,
  simulateLoading: {
    flags: '--simulate-loading',
    env: 'DUMMY_SIMULATE_LOADING',
    description: 'send "loading" events with a growing records_written',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  loadingInterval: {
    flags: '--loading-interval <duration>',
    env: 'DUMMY_LOADING_INTERVAL',
    description: 'time between "loading" events (implies --simulate-loading)',
    default: 10_000,
    parse: parse.duration({ minMs: 10 }),
  } satisfies Setting<number>,
  metricsPort: {
    flags: '--metrics-port <port>',
    env: 'METRICS_PORT',
    description: '/metrics, /healthz and /readyz on this port; 0 turns them off',
    default: 8000,
    parse: parse.port,
  } satisfies Setting<number>,
  metricsHost: metricsHostSetting,
  shutdownTimeout: {
    flags: '--shutdown-timeout <duration>',
    env: 'SHUTDOWN_TIMEOUT',
    description:
      "the longest a shutdown takes, from the signal (or the stop) to the exit, whatever Kafka does: the last events are flushed within it, and past it the dummy exits 1. Keep it below the pod's terminationGracePeriodSeconds (30 s by default)",
    default: 10_000,
    parse: parse.duration({ minMs: 100 }),
  } satisfies Setting<number>,
  ...topicSettings,
  ...kafkaSettings,
  ...tracingSettings,
  ...logSettings,
};

export const dummyCommand = defineCommand({
  name: 'dummy',
  summary: 'a stand-in service: answers ping/stop, emits lifecycle events, serves metrics',
  description:
    'Runs a simulated StreamForge service. It reads commands from the control topic, answers ping with pong and stop with interrupted, and sends exactly one started and one terminal event to the events topic. It keeps its place in the consumer group consumer-<queue-id>: the first life starts at the end of the control topic, a later one resumes after the last command handled, so a stop sent while it was down ends the next life at once. SIGTERM/SIGINT send interrupted and exit 0. Logs are JSON lines on stdout. ARANGO_* variables are ignored.',
  examples: [
    'streamforge dummy --queue-id loader-btcusdt-dummy-2024-06-01-testid --simulate-loading --exit-after 30',
    'QUEUE_ID=q1 KAFKA_USER=u KAFKA_PASSWORD=... KAFKA_CA_PATH=/ca.crt streamforge dummy --exit-on-ping',
    'streamforge dummy --queue-id q1 --fail-after 5      # sends "error", exits 1',
    'streamforge dummy --queue-id q1 --group-id streamforge-dummy-q1   # a group your Kafka ACLs allow',
  ],
  settings,
  async run(v, sources, ctx) {
    const queueId = v.queueId;
    const logger = await loggerFrom(v, ctx.stdout, { queue_id: queueId });
    try {
      const conn = connectionOf(v, sources);
      const [{ DummyService }, { createRegistry }, { startTracing }] = await Promise.all([
        import('../dummy/service.js'),
        import('../observability/metrics.js'),
        import('../tracing/tracing.js'),
      ]);
      const tracing = await startTracing(traceConfigOf(v, 'dummy', ctx.version), logger);
      const service = new DummyService(
        {
          context: {
            queue_id: queueId,
            symbol: v.symbol || null,
            type: v.type,
            producer: v.producerId,
            time_range: v.timeRange || null,
            kafka_topic: v.kafkaTopic || null,
          },
          conn,
          topics: { control: v.controlTopic, events: v.eventsTopic },
          noop: v.noop,
          groupId: v.groupId,
          exitOnPing: v.exitOnPing,
          exitAfterMs: v.exitAfter,
          failAfterMs: v.failAfter,
          loadingIntervalMs: v.simulateLoading || sources.loadingInterval.kind !== 'default' ? v.loadingInterval : undefined,
          metricsPort: v.metricsPort,
          metricsHost: v.metricsHost,
          shutdownTimeoutMs: v.shutdownTimeout,
        },
        { logger, registry: createRegistry(), ...(tracing ? { tracing } : {}) },
      );
      ctx.onSignal((signal) => {
        logger.info('signal received', { signal });
        service.signal(signal);
      });
      logger.info('starting', { version: ctx.version, brokers: conn.brokers, security_protocol: conn.securityProtocol });
      const code = await service.run();
      // the last commands' spans, before the exit (bounded: a collector down costs seconds at most)
      await tracing?.shutdown();
      return code;
    } catch (err) {
      const { code, message, hint } = describeError(err);
      logger.error(message, { code, hint });
      throw err;
    }
  },
});
