/**
 * Monitor's Prometheus metrics. What describes a queue's state (status, info, age, records,
 * conflicts) is computed at scrape time from the reducer's rows, so a forgotten queue's series
 * vanish with its row; what counts happenings (events, probes, RTTs) is counted as they happen
 * and removed when the queue is forgotten.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { eventNames, statusNames } from '../protocol/types.js';
import type { QueueRow } from '../watch/reducer.js';
import type { ProbeResult } from './prober.js';

/** The statuses a queue can have on the status metric: the protocol's, and stale. */
export const monitorStatuses = [...statusNames, 'stale'] as const;
export type MonitorStatus = (typeof monitorStatuses)[number];
const probeResults: readonly ProbeResult[] = ['answered', 'late', 'lost'];

export interface QueueView {
  readonly queueId: string;
  readonly row: QueueRow;
  /** undefined: no status event yet (a queue seen only through a pong) */
  readonly status: MonitorStatus | undefined;
  /** seconds since the queue's last event */
  readonly ageSeconds: number;
}

export interface MonitorMetrics {
  event(queueId: string, event: string): void;
  invalidEvent(): void;
  probeAnswered(queueId: string, rttMs: number): void;
  probeFailed(queueId: string): void;
  probeEnded(queueId: string, result: ProbeResult): void;
  /** a queue's counted series, once its row is forgotten */
  forget(queueId: string): void;
}

/** RTT buckets from 1 ms to 5 s: a local pong is a few ms, a loaded cluster's tens to hundreds. */
const RTT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMonitorMetrics(
  registry: Registry,
  view: () => Iterable<QueueView>,
  ready: () => boolean = () => true,
): MonitorMetrics {
  const registers = [registry];
  new Gauge({
    name: 'streamforge_monitor_ready',
    help: "1 while /readyz answers 200: the events reader positioned and Kafka answering (an alert's input: the monitor's own blind spot)",
    registers,
    collect() {
      this.set(ready() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'streamforge_queue_status',
    help: "1 for the queue's current status, 0 for the others (stale: no event for --stale)",
    labelNames: ['queue_id', 'status'],
    registers,
    collect() {
      this.reset();
      for (const q of view()) for (const s of monitorStatuses) this.set({ queue_id: q.queueId, status: s }, s === q.status ? 1 : 0);
    },
  });
  new Gauge({
    name: 'streamforge_queue_info',
    help: 'What the queue says it is, from its events (empty where it did not say)',
    labelNames: ['queue_id', 'symbol', 'type', 'producer'],
    registers,
    collect() {
      this.reset();
      for (const { queueId, row } of view())
        this.set({ queue_id: queueId, symbol: row.symbol ?? '', type: row.type ?? '', producer: row.producer ?? '' }, 1);
    },
  });
  new Gauge({
    name: 'streamforge_queue_last_event_age_seconds',
    help: "Seconds since the queue's last event (its own timestamp where it sent one)",
    labelNames: ['queue_id'],
    registers,
    collect() {
      this.reset();
      for (const q of view()) this.set({ queue_id: q.queueId }, q.ageSeconds);
    },
  });
  new Gauge({
    name: 'streamforge_queue_records_written',
    help: 'The highest records_written the queue reported',
    labelNames: ['queue_id'],
    registers,
    collect() {
      this.reset();
      for (const { queueId, row } of view()) if (row.recordsWritten !== null) this.set({ queue_id: queueId }, row.recordsWritten);
    },
  });
  new Counter({
    name: 'streamforge_queue_conflicts_total',
    help: 'Terminal events beyond the first (a queue that finished and also failed, say)',
    labelNames: ['queue_id'],
    registers,
    collect() {
      this.reset();
      for (const { queueId, row } of view()) this.inc({ queue_id: queueId }, Math.max(0, row.terminalEvents - 1));
    },
  });
  const events = new Counter({
    name: 'streamforge_queue_events_total',
    help: 'Events read from the events topic, by queue and event',
    labelNames: ['queue_id', 'event'],
    registers,
  });
  const invalid = new Counter({
    name: 'streamforge_invalid_events_total',
    help: 'Records on the events topic that were not valid events (logged at warn, then skipped)',
    registers,
  });
  const success = new Gauge({
    name: 'streamforge_probe_success',
    help: "1 if the queue's last probe was answered within --probe-timeout, else 0",
    labelNames: ['queue_id'],
    registers,
  });
  const failuresInARow = new Gauge({
    name: 'streamforge_probe_failures_in_a_row',
    help: 'Probes of the queue that failed since the last one answered in time',
    labelNames: ['queue_id'],
    registers,
  });
  const probes = new Counter({
    name: 'streamforge_probes_total',
    help: 'Probes by result: answered (in time), late (after --probe-timeout), lost (never, by the next probe)',
    labelNames: ['queue_id', 'result'],
    registers,
  });
  const rtt = new Histogram({
    name: 'streamforge_probe_rtt_seconds',
    help: 'Round trip of probes answered in time, ping sent to pong read',
    labelNames: ['queue_id'],
    buckets: RTT_BUCKETS,
    registers,
  });
  invalid.inc(0);

  return {
    event: (queueId, event) => events.inc({ queue_id: queueId, event }),
    invalidEvent: () => invalid.inc(),
    probeAnswered: (queueId, rttMs) => {
      success.set({ queue_id: queueId }, 1);
      failuresInARow.set({ queue_id: queueId }, 0);
      rtt.observe({ queue_id: queueId }, rttMs / 1000);
    },
    probeFailed: (queueId) => {
      success.set({ queue_id: queueId }, 0);
      failuresInARow.inc({ queue_id: queueId });
    },
    probeEnded: (queueId, result) => probes.inc({ queue_id: queueId, result }),
    forget: (queueId) => {
      for (const event of eventNames) events.remove({ queue_id: queueId, event });
      for (const result of probeResults) probes.remove({ queue_id: queueId, result });
      success.remove({ queue_id: queueId });
      failuresInARow.remove({ queue_id: queueId });
      rtt.remove({ queue_id: queueId });
    },
  };
}
