import { kafkaSettings, logSettings, metricsHostSetting, sinceSetting, staleSetting, topicSettings } from '../config/common-settings.js';
import { formatDuration, parse, type Setting } from '../config/setting.js';
import { ConfigError, describeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { connectionOf, loggerFrom } from './common.js';
import { defineCommand } from './command-spec.js';

/** How long a probe waits for its pong, unless --probe-interval is shorter than twice that. */
const PROBE_TIMEOUT_MS = 5000;

const settings = {
  since: sinceSetting('MONITOR_SINCE'),
  stale: staleSetting('MONITOR_STALE'),
  probe: {
    flags: '--no-probe',
    env: 'MONITOR_PROBE',
    description: 'do not ping the queues: metrics from their events only',
    defaultLabel: 'probe (MONITOR_PROBE=true)',
    switch: true,
    default: true,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  probeInterval: {
    flags: '--probe-interval <duration>',
    env: 'MONITOR_PROBE_INTERVAL',
    description: 'ping every live queue (not ended, not stale) this often, each by its own id',
    default: 30_000,
    parse: parse.duration({ minMs: 100 }),
  } satisfies Setting<number>,
  probeTimeout: {
    flags: '--probe-timeout <duration>',
    env: 'MONITOR_PROBE_TIMEOUT',
    description:
      'a probe not answered within this long fails (a pong after it counts as late); by default 5s, or half of --probe-interval when that is shorter',
    default: PROBE_TIMEOUT_MS,
    // a probe must end before the next one to the same queue: the default gives way to half of
    // a short --probe-interval; a value the user gave is kept, and refused by run() when too long
    derive: (v) => Math.min(PROBE_TIMEOUT_MS, Math.floor(Number(v.probeInterval) / 2)),
    parse: parse.duration({ minMs: 10 }),
  } satisfies Setting<number>,
  forgetAfter: {
    flags: '--forget-after <duration>',
    env: 'MONITOR_FORGET_AFTER',
    description:
      'drop a queue that ended (or went stale) and has been silent this long, with all its series, so their number does not grow without bound',
    default: 3_600_000,
    parse: parse.duration({ minMs: 1000 }),
  } satisfies Setting<number>,
  metricsPort: {
    flags: '--metrics-port <port>',
    env: 'METRICS_PORT',
    description: '/metrics, /healthz and /readyz on this port (0: any free port, logged)',
    default: 9108,
    parse: parse.port,
  } satisfies Setting<number>,
  metricsHost: metricsHostSetting,
  shutdownTimeout: {
    flags: '--shutdown-timeout <duration>',
    env: 'SHUTDOWN_TIMEOUT',
    description:
      'on SIGTERM: the longest the monitor takes to close its Kafka clients and exit, whatever Kafka does (while it is still connecting, it stops at once)',
    default: 10_000,
    parse: parse.duration({ minMs: 100 }),
  } satisfies Setting<number>,
  ...topicSettings,
  ...kafkaSettings,
  ...logSettings,
};

export const monitorCommand = defineCommand({
  name: 'monitor',
  summary: 'the control plane as Prometheus metrics: per-queue status, event ages, probes',
  description:
    "A headless, long-running process for a Deployment, scraped by Prometheus. It follows the events topic (from the end, or --since: use it to learn queues that started before the monitor) with watch's reducer and exports each queue's status, last event age, records written and conflicting terminal events, and pings every live queue every --probe-interval. It reads only the events topic and writes only pings to the control topic. Queues that ended or went stale are forgotten after --forget-after, series and all. /readyz answers 200 once the reader is positioned and while Kafka answers. Logs are JSON lines on stdout.",
  examples: [
    'streamforge monitor',
    'streamforge monitor --since 2h --probe-interval 15s --probe-timeout 3s',
    'streamforge monitor --no-probe --metrics-port 9108   # metrics from events only',
    'curl -s localhost:9108/metrics | grep ^streamforge_queue_status',
  ],
  settings,
  async run(v, sources, ctx) {
    const logger = await loggerFrom(v, ctx.stdout);
    const probeTimeout = v.probeTimeout;
    if (v.probe && probeTimeout >= v.probeInterval)
      throw new ConfigError(
        `--probe-timeout (${formatDuration(probeTimeout)}) must be shorter than --probe-interval (${formatDuration(v.probeInterval)})`,
        'a probe must end before the next one to the same queue is sent',
      );
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    ctx.onSignal((signal) => {
      logger.info('signal received', { signal });
      stop();
    });
    try {
      const conn = connectionOf(v, sources);
      const [{ startMonitor }, { createRegistry }] = await Promise.all([
        import('../monitor/run-monitor.js'),
        import('../observability/metrics.js'),
      ]);
      logger.info('starting', { version: ctx.version, brokers: conn.brokers, security_protocol: conn.securityProtocol });
      // a signal while Kafka is being reached ends the wait (it lasted --connect-timeout, 26 s)
      const monitor = await untilStopped(
        startMonitor(
          {
            conn,
            topics: { control: v.controlTopic, events: v.eventsTopic },
            start: v.since !== undefined ? { kind: 'time', ms: Date.now() - v.since } : { kind: 'end' },
            staleMs: v.stale,
            forgetAfterMs: v.forgetAfter,
            probe: v.probe ? { intervalMs: v.probeInterval, timeoutMs: probeTimeout } : undefined,
            metricsPort: v.metricsPort,
            metricsHost: v.metricsHost,
          },
          { logger, registry: createRegistry() },
        ),
        stopped,
      );
      if (!monitor) {
        logger.info('monitor stopped before it was ready');
        return 0;
      }
      await stopped;
      return await closeWithin(monitor.close(), v.shutdownTimeout, logger);
    } catch (err) {
      const { code, message, hint } = describeError(err);
      logger.error(message, { code, hint });
      throw err;
    }
  },
});

/** The started value, or undefined when `stop` came first (what was starting is left to the exit). */
async function untilStopped<T>(starting: Promise<T>, stop: Promise<void>): Promise<T | undefined> {
  starting.catch(() => undefined);
  return Promise.race([starting, stop.then(() => undefined)]);
}

/** 0 once closed; 1 when --shutdown-timeout passed first. */
async function closeWithin(closing: Promise<void>, ms: number, logger: Logger): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const first = await Promise.race([closing.then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (first === 'late') {
    logger.error('the monitor did not close within --shutdown-timeout; exiting anyway', { shutdown_timeout_ms: ms });
    return 1;
  }
  logger.info('monitor stopped');
  return 0;
}
