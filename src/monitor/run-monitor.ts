/**
 * The monitor: the control plane's events folded by watch's reducer into per-queue state,
 * exposed as metrics at scrape time; live queues probed on a schedule; ended and stale queues
 * forgotten after --forget-after. One timer drives probes, timeouts and forgetting, on an
 * injectable clock.
 */
import { setFlagsFromString } from 'node:v8';
import type { Registry } from 'prom-client';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { systemClock, type Clock } from '../control/control-io.js';
import type { StartPosition } from '../kafka/reader.js';
import type { Logger } from '../observability/logger.js';
import { startMetricsServer, type MetricsServer } from '../observability/metrics.js';
import { describeError } from '../errors.js';
import { openControlPlane } from '../plane/control-plane.js';
import {
  forgettable,
  initialPlaneState,
  queueHealth,
  planeReducer,
  type Incoming,
  type QueueRow,
  type PlaneState,
} from '../plane/reducer.js';
import { createMonitorMetrics, monitorStatuses, type MonitorStatus, type QueueView } from './metrics.js';
import { Prober, ProbeSchedule } from './prober.js';

export interface MonitorOptions {
  readonly conn: KafkaConnection;
  readonly topics: { readonly control: string; readonly events: string };
  readonly start: StartPosition;
  readonly staleMs: number;
  readonly forgetAfterMs: number;
  /** undefined: --no-probe */
  readonly probe: { readonly intervalMs: number; readonly timeoutMs: number } | undefined;
  readonly metricsPort: number;
  readonly metricsHost: string;
}

export interface MonitorDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock?: Clock;
}

export interface Monitor {
  /** the port /metrics listens on (the chosen one when --metrics-port is 0) */
  readonly port: number;
  close(): Promise<void>;
}

/** How often the one timer looks at timeouts and due probes. */
const TICK_MS = 100;
/** How often ended and stale queues are looked for, and the broker asked whether it is there. */
const SWEEP_MS = 1000;
const CONNECTION_CHECK_MS = 5000;
/** Invalid events logged per window; the rest are counted and summed up in one line. */
const INVALID_LOGS_PER_WINDOW = 10;
const INVALID_WINDOW_MS = 10_000;

function statusOf(row: QueueRow, health: ReturnType<typeof queueHealth>): MonitorStatus | undefined {
  if (health === 'stale') return 'stale';
  return (monitorStatuses as readonly string[]).includes(row.status) ? (row.status as MonitorStatus) : undefined;
}

/** A queue to probe: not ended, not stale. */
function isLive(row: QueueRow, now: number, staleMs: number): boolean {
  return queueHealth(row, now, staleMs) === 'ok';
}

/**
 * Starts /metrics, then the reader; resolves once the reader is positioned. A broker that
 * cannot be reached (or refuses the login) rejects with that error, the endpoint closed again.
 */
export async function startMonitor(opts: MonitorOptions, deps: MonitorDeps): Promise<Monitor> {
  const { logger, registry } = deps;
  // A long-running process for a memory-limited pod: each scrape makes ~3 MB of short-lived
  // text at 1,000 queues, and V8's default heuristics let the old generation fill with it.
  // V8 reads this GC heuristic at each decision, so setting it at run time works (watch's
  // screen does the same).
  setFlagsFromString('--optimize-for-size');
  const clock = deps.clock ?? systemClock;
  let state: PlaneState = initialPlaneState(0);
  let positioned = false;

  const view = function* (): Iterable<QueueView> {
    const now = clock.wall();
    for (const row of state.queues.values()) {
      const health = queueHealth(row, now, opts.staleMs);
      yield { queueId: row.queueId, row, status: statusOf(row, health), ageSeconds: Math.max(0, (now - row.lastEventAt) / 1000) };
    }
  };
  const isReady = (): boolean => positioned && plane.connection() === 'connected';

  const plane = openControlPlane({
    conn: opts.conn,
    topics: opts.topics,
    start: opts.start,
    filter: { queueId: undefined, events: [] },
    logger,
    clientId: 'streamforge-monitor',
    readControl: false,
    prompt: true,
  });
  const metrics = createMonitorMetrics(registry, view, isReady);

  let server: MetricsServer | undefined;
  try {
    server = await startMetricsServer({
      port: opts.metricsPort,
      host: opts.metricsHost,
      metrics: metrics.source,
      logger,
      setting: '--metrics-port / METRICS_PORT',
      portZero: 'for any free port',
      probes: { live: () => true, ready: isReady },
    });
  } catch (err) {
    await plane.close();
    throw err;
  }

  let invalidLogged = 0;
  let invalidSuppressed = 0;
  let invalidWindowStart = clock.mono();
  const warnInvalid = (item: Extract<Incoming, { kind: 'invalid' }>): void => {
    if (invalidLogged < INVALID_LOGS_PER_WINDOW) {
      invalidLogged++;
      logger.warn('skipping an invalid event', { reason: item.reason, partition: item.partition, offset: item.offset, value: item.raw });
    } else invalidSuppressed++;
  };

  plane.subscribe((items) => {
    for (const item of items) {
      if (item.kind === 'invalid') {
        metrics.invalidEvent();
        warnInvalid(item);
      } else if (item.kind === 'event') metrics.event(item.event.queue_id, item.event.event);
    }
    state = planeReducer(state, { type: 'records', items, now: clock.wall() });
  });

  const probe = opts.probe;
  const prober = probe
    ? new Prober({
        timeoutMs: probe.timeoutMs,
        send: plane.send,
        clock,
        listener: {
          answered: (q, rttMs) => {
            metrics.probeAnswered(q, rttMs);
            logger.debug('probe answered', { queue_id: q, rtt_ms: rttMs });
          },
          timedOut: (q) => {
            metrics.probeFailed(q);
            logger.debug('probe not answered in time', { queue_id: q, timeout_ms: probe.timeoutMs });
          },
          ended: (q, result) => metrics.probeEnded(q, result),
          // one line per probe would flood the log in an outage, which the connection check reports once
          sendFailed: (q, err) =>
            plane.connection() === 'connected'
              ? logger.warn('probe not sent', { queue_id: q, ...describeError(err) })
              : logger.debug('probe not sent', { queue_id: q, ...describeError(err) }),
        },
      })
    : undefined;
  const schedule = probe ? new ProbeSchedule(probe.intervalMs) : undefined;
  const stopFeed = prober ? plane.feed((event, arrival) => prober.event(event, arrival)) : undefined;

  const live = function* (now: number): Iterable<string> {
    for (const row of state.queues.values()) if (isLive(row, now, opts.staleMs)) yield row.queueId;
  };
  /** probes due within the next tick, each on a timer of its own */
  const probeTimers = new Set<NodeJS.Timeout>();
  let lastSweep = clock.mono();
  const tick = (): void => {
    const mono = clock.mono();
    const wall = clock.wall();
    if (prober && schedule && positioned && plane.connection() !== 'connected') {
      // the monitor is blind, not the queues: no probe now counts for or against them
      prober.abandon();
    } else if (prober && schedule && positioned) {
      prober.tick(mono);
      for (const { queueId, at } of schedule.due(live(wall), mono, TICK_MS)) {
        const delay = at - mono;
        if (delay < 1) prober.probe(queueId);
        else {
          const timer = setTimeout(() => {
            probeTimers.delete(timer);
            // it may have ended, or been forgotten, since it was scheduled
            const row = state.queues.get(queueId);
            if (row && isLive(row, clock.wall(), opts.staleMs)) prober.probe(queueId);
          }, delay);
          probeTimers.add(timer);
        }
      }
    }
    if (mono - lastSweep >= SWEEP_MS) {
      lastSweep = mono;
      const gone = forgettable(state, wall, opts.forgetAfterMs, opts.staleMs);
      if (gone.length > 0) {
        for (const q of gone) {
          prober?.drop(q);
          metrics.forget(q);
        }
        state = planeReducer(state, { type: 'forget', queueIds: gone });
        logger.debug('queues forgotten', { queues: gone.length });
      }
    }
    if (mono - invalidWindowStart >= INVALID_WINDOW_MS) {
      if (invalidSuppressed > 0) logger.warn('more invalid events skipped', { count: invalidSuppressed, window_ms: INVALID_WINDOW_MS });
      invalidWindowStart = mono;
      invalidLogged = 0;
      invalidSuppressed = 0;
    }
  };
  const ticker = setInterval(tick, TICK_MS);

  let checking = false;
  const checker = setInterval(() => {
    if (checking || !positioned) return;
    checking = true;
    const before = plane.connection();
    plane
      .checkConnection(Math.min(CONNECTION_CHECK_MS, opts.conn.connectTimeoutMs))
      .then((now) => {
        if (now === before) return;
        if (now === 'lost') logger.warn('Kafka is not answering: /readyz fails until it is back', { brokers: opts.conn.brokers });
        else logger.info('Kafka answers again', { brokers: opts.conn.brokers });
      })
      .finally(() => (checking = false));
  }, CONNECTION_CHECK_MS);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(ticker);
      clearInterval(checker);
      for (const t of probeTimers) clearTimeout(t);
      stopFeed?.();
      await Promise.allSettled([plane.close(), server?.close()]);
    })());

  try {
    await plane.ready;
    // the first probe's round trip must not include the producer's connect
    if (probe) await plane.connectProducer();
  } catch (err) {
    await close();
    throw err;
  }
  positioned = true;
  logger.info('monitor ready', {
    events_topic: opts.topics.events,
    probe_interval_ms: probe?.intervalMs ?? null,
    forget_after_ms: opts.forgetAfterMs,
    port: server.port,
  });
  return { port: server.port, close };
}
