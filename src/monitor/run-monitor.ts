/**
 * The monitor: the control plane's events folded by the plane's reducer into per-queue state,
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

/** What the monitor knows, shared by the reader's callback, the scrape and the timer. */
interface Model {
  state: PlaneState;
  /** the reader is positioned: probes and connection checks may start */
  positioned: boolean;
}

type Plane = ReturnType<typeof openControlPlane>;
type Metrics = ReturnType<typeof createMonitorMetrics>;

function* queueViews(state: PlaneState, now: number, staleMs: number): Iterable<QueueView> {
  for (const row of state.queues.values()) {
    const health = queueHealth(row, now, staleMs);
    yield { queueId: row.queueId, row, status: statusOf(row, health), ageSeconds: Math.max(0, (now - row.lastEventAt) / 1000) };
  }
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
  const model: Model = { state: initialPlaneState(0), positioned: false };
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
  const isReady = (): boolean => model.positioned && plane.connection() === 'connected';
  const metrics = createMonitorMetrics(registry, () => queueViews(model.state, clock.wall(), opts.staleMs), isReady);

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

  const invalid = new InvalidEventLog(logger, clock.mono());
  plane.subscribe((items) => {
    for (const item of items) {
      if (item.kind === 'invalid') {
        metrics.invalidEvent();
        invalid.warn(item);
      } else if (item.kind === 'event') metrics.event(item.event.queue_id, item.event.event);
    }
    model.state = planeReducer(model.state, { type: 'records', items, now: clock.wall() });
  });
  const prober = opts.probe ? proberFor(opts.probe.timeoutMs, plane, clock, metrics, logger) : undefined;
  const stopFeed = prober ? plane.feed((event, arrival) => prober.event(event, arrival)) : undefined;
  const stopTicks = startTicks({ opts, model, plane, prober, metrics, invalid, clock, logger });
  const checker = checkConnection(plane, opts.conn, logger, () => model.positioned);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stopTicks();
      clearInterval(checker);
      stopFeed?.();
      await Promise.allSettled([plane.close(), server?.close()]);
    })());

  try {
    await plane.ready;
    // the first probe's round trip must not include the producer's connect
    if (opts.probe) await plane.connectProducer();
  } catch (err) {
    await close();
    throw err;
  }
  model.positioned = true;
  logger.info('monitor ready', {
    events_topic: opts.topics.events,
    probe_interval_ms: opts.probe?.intervalMs ?? null,
    forget_after_ms: opts.forgetAfterMs,
    port: server.port,
  });
  return { port: server.port, close };
}

/** Invalid events: the first few per window logged, the rest counted and summed up in one line. */
class InvalidEventLog {
  #logged = 0;
  #suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private windowStart: number,
  ) {}

  warn(item: Extract<Incoming, { kind: 'invalid' }>): void {
    if (this.#logged < INVALID_LOGS_PER_WINDOW) {
      this.#logged++;
      this.logger.warn('skipping an invalid event', {
        reason: item.reason,
        partition: item.partition,
        offset: item.offset,
        value: item.raw,
      });
    } else this.#suppressed++;
  }

  /** at each tick: a window that has passed is summed up, and a new one begins */
  roll(mono: number): void {
    if (mono - this.windowStart < INVALID_WINDOW_MS) return;
    if (this.#suppressed > 0) this.logger.warn('more invalid events skipped', { count: this.#suppressed, window_ms: INVALID_WINDOW_MS });
    this.windowStart = mono;
    this.#logged = 0;
    this.#suppressed = 0;
  }
}

/** The prober, its results counted in the metrics and logged. */
function proberFor(timeoutMs: number, plane: Plane, clock: Clock, metrics: Metrics, logger: Logger): Prober {
  return new Prober({
    timeoutMs,
    send: plane.send,
    clock,
    listener: {
      answered: (q, rttMs) => {
        metrics.probeAnswered(q, rttMs);
        logger.debug('probe answered', { queue_id: q, rtt_ms: rttMs });
      },
      timedOut: (q) => {
        metrics.probeFailed(q);
        logger.debug('probe not answered in time', { queue_id: q, timeout_ms: timeoutMs });
      },
      ended: (q, result) => metrics.probeEnded(q, result),
      // one line per probe would flood the log in an outage, which the connection check reports once
      sendFailed: (q, err) =>
        plane.connection() === 'connected'
          ? logger.warn('probe not sent', { queue_id: q, ...describeError(err) })
          : logger.debug('probe not sent', { queue_id: q, ...describeError(err) }),
    },
  });
}

interface TickContext {
  readonly opts: MonitorOptions;
  readonly model: Model;
  readonly plane: Plane;
  readonly prober: Prober | undefined;
  readonly metrics: Metrics;
  readonly invalid: InvalidEventLog;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The one timer: due probes (each on a timer of its own within the tick), forgetting, the invalid-event window. Returns its stop. */
function startTicks(t: TickContext): () => void {
  const { opts, model, plane, prober, clock } = t;
  const schedule = opts.probe ? new ProbeSchedule(opts.probe.intervalMs) : undefined;
  const probeTimers = new Set<NodeJS.Timeout>();
  const live = function* (now: number): Iterable<string> {
    for (const row of model.state.queues.values()) if (isLive(row, now, opts.staleMs)) yield row.queueId;
  };
  let lastSweep = clock.mono();
  const tick = (): void => {
    const mono = clock.mono();
    const wall = clock.wall();
    if (prober && schedule && model.positioned && plane.connection() !== 'connected') {
      // the monitor is blind, not the queues: no probe now counts for or against them
      prober.abandon();
    } else if (prober && schedule && model.positioned) {
      prober.tick(mono);
      for (const { queueId, at } of schedule.due(live(wall), mono, TICK_MS)) {
        const delay = at - mono;
        if (delay < 1) prober.probe(queueId);
        else {
          const timer = setTimeout(() => {
            probeTimers.delete(timer);
            // it may have ended, or been forgotten, since it was scheduled
            const row = model.state.queues.get(queueId);
            if (row && isLive(row, clock.wall(), opts.staleMs)) prober.probe(queueId);
          }, delay);
          probeTimers.add(timer);
        }
      }
    }
    if (mono - lastSweep >= SWEEP_MS) {
      lastSweep = mono;
      forgetEnded(t, wall);
    }
    t.invalid.roll(mono);
  };
  const ticker = setInterval(tick, TICK_MS);
  return () => {
    clearInterval(ticker);
    for (const timer of probeTimers) clearTimeout(timer);
  };
}

/** Queues ended or stale for --forget-after: their row, counters and probe dropped. */
function forgetEnded(t: TickContext, wall: number): void {
  const gone = forgettable(t.model.state, wall, t.opts.forgetAfterMs, t.opts.staleMs);
  if (gone.length === 0) return;
  for (const q of gone) {
    t.prober?.drop(q);
    t.metrics.forget(q);
  }
  t.model.state = planeReducer(t.model.state, { type: 'forget', queueIds: gone });
  t.logger.debug('queues forgotten', { queues: gone.length });
}

/** Asks the broker every CONNECTION_CHECK_MS whether it is there, and logs each change once. */
function checkConnection(plane: Plane, conn: KafkaConnection, logger: Logger, positioned: () => boolean): NodeJS.Timeout {
  let checking = false;
  return setInterval(() => {
    if (checking || !positioned()) return;
    checking = true;
    const before = plane.connection();
    plane
      .checkConnection(Math.min(CONNECTION_CHECK_MS, conn.connectTimeoutMs))
      .then((now) => {
        if (now === before) return;
        if (now === 'lost') logger.warn('Kafka is not answering: /readyz fails until it is back', { brokers: conn.brokers });
        else logger.info('Kafka answers again', { brokers: conn.brokers });
      })
      .finally(() => (checking = false));
  }, CONNECTION_CHECK_MS);
}
