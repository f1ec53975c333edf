/**
 * serve-producer --workers N: N server processes share the port (node:cluster), each with its
 * own Kafka producer, because one JavaScript thread is what limits a single server. The primary
 * process serves nothing itself: it starts the workers, relays metrics between them (every
 * worker's /metrics and /api/v1/events/stats add up all of them), and on SIGTERM lets each
 * worker shut down as a single server does. A worker that dies takes the others down with it,
 * gracefully, and the exit code says why: Kubernetes restarts a whole pod, never a third of one.
 *
 * The figures are added up by prom-client's AggregatorRegistry.aggregate; only the relay is ours.
 * AggregatorRegistry.clusterMetrics() (prom-client's own relay) was measured against what this
 * needs and does not do the job: it serves the primary only (a worker's /metrics on the app port
 * must show every worker's), gives text only (the event stats need the values), and one worker
 * that does not answer (stopped, or exiting) fails the whole scrape after 5 s (measured: 2
 * workers, p50 2.7 ms; one SIGSTOPped, "Operation timed out." after 5,001 ms and no metrics),
 * where this answers with the others' after COLLECT_TIMEOUT_MS.
 */
import cluster, { type Worker } from 'node:cluster';
import { inBinary } from '../../resources.js';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../../observability/logger.js';
import { startMetricsServer, type MetricsJson, type MetricsServer, type MetricsSource } from '../../observability/metrics.js';

/** worker -> primary: every worker's metrics, please; primary -> worker: here they are */
type Gather = { readonly sf: 'gather'; readonly id: number };
type Gathered = { readonly sf: 'gathered'; readonly id: number; readonly metrics: MetricsJson[] };
/** primary -> worker: yours, please; worker -> primary: here they are */
type Collect = { readonly sf: 'collect'; readonly id: number };
type Collected = { readonly sf: 'collected'; readonly id: number; readonly metrics: MetricsJson };
type ClusterMessage = Gather | Gathered | Collect | Collected;

const isMessage = (m: unknown): m is ClusterMessage => typeof m === 'object' && m !== null && 'sf' in m && 'id' in m;

/** Waiting longer than this for a worker's metrics (it may be exiting) answers without it. */
const COLLECT_TIMEOUT_MS = 2000;

export const isClusterWorker = (): boolean => cluster.isWorker;
export const workerId = (): number | undefined => cluster.worker?.id;

/** A worker's metrics: its own registry answers the primary; /metrics adds up every worker's. */
export function workerMetrics(registry: Registry): MetricsSource {
  const waiting = new Map<number, (metrics: MetricsJson[]) => void>();
  let nextId = 0;
  // Once the primary is gone the channel is closed, and sending on it would throw. (send's own
  // false also means "queued behind a backlog", which is not a failure.)
  const toPrimary = (msg: Gather | Collected): boolean => {
    if (!process.connected || !process.send) return false;
    process.send(msg);
    return true;
  };
  process.on('message', (msg: unknown) => {
    if (!isMessage(msg)) return;
    if (msg.sf === 'collect') {
      void registry.getMetricsAsJSON().then((metrics) => toPrimary({ sf: 'collected', id: msg.id, metrics }));
    } else if (msg.sf === 'gathered') {
      waiting.get(msg.id)?.(msg.metrics);
      waiting.delete(msg.id);
    }
  });
  const everyWorker = async (): Promise<MetricsJson[]> => {
    const id = nextId++;
    const all = await new Promise<MetricsJson[]>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve([]);
      }, COLLECT_TIMEOUT_MS * 2);
      waiting.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      if (!toPrimary({ sf: 'gather', id })) {
        clearTimeout(timer);
        waiting.delete(id);
        resolve([]);
      }
    });
    // the primary did not answer (it is going away): this worker's own figures are still true
    return all.length > 0 ? all : [await registry.getMetricsAsJSON()];
  };
  return {
    contentType: registry.contentType,
    text: async () => AggregatorRegistry.aggregate(await everyWorker()).metrics(),
    json: async () => AggregatorRegistry.aggregate(await everyWorker()).getMetricsAsJSON(),
  };
}

export interface ClusterOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** each worker's own shutdown bound; the primary waits a little longer, then kills */
  readonly shutdownTimeoutMs: number;
  /** --metrics-port: the primary serves every worker's metrics there */
  readonly metricsPort: number | undefined;
  readonly host: string;
  readonly onSignal: (handler: (signal: string) => void) => void;
  /** NODE_OPTIONS as the primary got it: the workers' young generation is added to it */
  readonly nodeOptions: string | undefined;
}

/**
 * The young generation workers start with, unless the operator chose one: batches awaiting
 * Kafka are live, and each scavenge copies them. 32 MB instead of Node's 16 MB gave 100-record
 * batches 12-17% more throughput on two workers (docs/benchmarks.md); V8 sizes its heap before any
 * code runs, so only a process that starts others can choose it, through NODE_OPTIONS. Not in the
 * single executable: its start-up snapshot holds the heap's configuration.
 */
export function withYoungGeneration(
  nodeOptions: string | undefined,
  execArgv: readonly string[],
  binary: boolean,
): { NODE_OPTIONS: string } | undefined {
  // the single executable starts from a V8 snapshot, which refuses any other heap configuration
  // ("built with a different version of V8 or with different V8 configurations")
  if (binary) return undefined;
  const chosen = (nodeOptions ?? '').includes('--max-semi-space-size') || execArgv.some((a) => a.startsWith('--max-semi-space-size'));
  if (chosen) return undefined;
  return { NODE_OPTIONS: `${nodeOptions ?? ''} --max-semi-space-size=32`.trim() };
}

/** The primary's life: returns the exit code once every worker is gone. */
export async function runProducerCluster(opts: ClusterOptions): Promise<number> {
  const { logger } = opts;
  const workers = new Map<number, Worker>();
  const listening = new Set<number>();
  const collectAll = relayMetrics(workers);
  cluster.on('listening', (worker) => {
    listening.add(worker.id);
    if (listening.size === opts.workers) logger.info('every worker is listening', { workers: opts.workers });
  });
  // The exit and signal handlers come before the first fork: a worker that fails at once, or a
  // signal while the metrics server starts, must not go unseen.
  const life = superviseWorkers(opts, workers, listening);

  const workerEnv = withYoungGeneration(opts.nodeOptions, process.execArgv, inBinary());
  for (let i = 0; i < opts.workers; i++) {
    const w = cluster.fork(workerEnv);
    workers.set(w.id, w);
  }
  logger.info('serve-producer cluster started', { workers: opts.workers, pids: [...workers.values()].map((w) => w.process.pid) });

  let metricsServer: MetricsServer | undefined;
  if (opts.metricsPort !== undefined && opts.metricsPort > 0) {
    try {
      metricsServer = await startMetricsServer({
        port: opts.metricsPort,
        host: opts.host,
        logger,
        setting: '--metrics-port / METRICS_PORT',
        metrics: {
          contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE,
          text: async () => AggregatorRegistry.aggregate(await collectAll()).metrics(),
        },
        probes: { live: () => true, ready: () => listening.size === opts.workers },
      });
    } catch (err) {
      life.stop();
      await life.allGone;
      throw err;
    }
  }
  await life.allGone;
  await metricsServer?.close();
  return life.exitCode();
}

/** The primary's side of the metrics relay: answers a worker's "gather", and collects every live worker's registry. */
function relayMetrics(workers: ReadonlyMap<number, Worker>): () => Promise<MetricsJson[]> {
  let nextCollect = 0;
  const collecting = new Map<number, { readonly got: MetricsJson[]; readonly done: () => void; want: number }>();
  const collectAll = (): Promise<MetricsJson[]> =>
    new Promise((resolve) => {
      const id = nextCollect++;
      const got: MetricsJson[] = [];
      const live = [...workers.values()].filter((w) => w.isConnected());
      const finish = (): void => {
        clearTimeout(timer);
        collecting.delete(id);
        resolve(got);
      };
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
      collecting.set(id, { got, done: finish, want: live.length });
      if (live.length === 0) return finish();
      for (const w of live) w.send({ sf: 'collect', id } satisfies Collect);
    });
  cluster.on('message', (worker, msg: unknown) => {
    if (!isMessage(msg)) return;
    if (msg.sf === 'collected') {
      const c = collecting.get(msg.id);
      if (!c) return;
      c.got.push(msg.metrics);
      if (--c.want === 0) c.done();
    } else if (msg.sf === 'gather') {
      void collectAll().then((metrics) => {
        if (worker.isConnected()) worker.send({ sf: 'gathered', id: msg.id, metrics } satisfies Gathered);
      });
    }
  });
  return collectAll;
}

/**
 * The workers' lives: a signal stops them all; one that exits on its own stops the others, and
 * its code becomes the primary's. `allGone` resolves once none is left.
 */
function superviseWorkers(
  opts: ClusterOptions,
  workers: Map<number, Worker>,
  listening: Set<number>,
): { readonly stop: () => void; readonly allGone: Promise<void>; readonly exitCode: () => number } {
  const { logger } = opts;
  let stopping = false;
  let exitCode = 0;
  let deadline: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const w of workers.values()) w.process.kill('SIGTERM');
    deadline = setTimeout(() => {
      logger.error('workers still running after the shutdown timeout: killing them', {
        pids: [...workers.values()].map((w) => w.process.pid),
      });
      for (const w of workers.values()) w.process.kill('SIGKILL');
      exitCode = exitCode || 1;
    }, opts.shutdownTimeoutMs + 5000);
  };
  const allGone = new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      workers.delete(worker.id);
      listening.delete(worker.id);
      const workerCode = code ?? 1;
      if (!stopping) {
        logger.error('a worker exited: stopping the others', { worker: worker.id, code, signal });
        exitCode = workerCode || 1;
        stop();
      } else if (workerCode !== 0) exitCode = exitCode || workerCode;
      if (workers.size === 0) {
        clearTimeout(deadline);
        resolve();
      }
    });
  });
  opts.onSignal((signal) => {
    if (stopping) return;
    logger.info('shutting down the workers', { signal, workers: workers.size });
    stop();
  });
  return { stop, allGone, exitCode: () => exitCode };
}
