/**
 * Monitor's Prometheus metrics. The per-queue families are written here as exposition text,
 * not through prom-client: at 1,000 queues they are ~25,000 series, and prom-client hashed
 * every label set on each set() and formatted each series generically, 107 ms a scrape with the
 * monitor otherwise idle (176 ms p50, 498 ms max under bench:monitor's load, against a target of
 * 100). Each queue's label text is escaped once and kept; queue state (status, info, age,
 * records, conflicts) is read from the reducer's rows at scrape time, so a forgotten queue's
 * series vanish with its row, and its counters are dropped with it. The process-wide metrics
 * (Node's, invalid events, readiness) stay in the prom-client registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MetricsSource } from '../observability/metrics.js';
import { statusNames } from '../protocol/types.js';
import type { QueueRow } from '../plane/reducer.js';
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
  /** /metrics: the registry's text, then the per-queue families */
  readonly source: MetricsSource;
}

/**
 * RTT buckets from 2.5 ms to 5 s (the longest --probe-timeout worth having): a local pong takes
 * a few ms, a loaded cluster's tens to hundreds. Each bucket is a series per queue.
 */
export const RTT_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
const BUCKET_LABELS = [...RTT_BUCKETS.map(String), '+Inf'];

/** What is counted per queue as it happens. */
interface QueueCounts {
  /** `queue_id="..."`, escaped once */
  readonly label: string;
  readonly events: Map<string, number>;
  readonly probes: Record<ProbeResult, number>;
  success: 0 | 1 | undefined;
  failuresInARow: number;
  /** per bucket, not cumulative; the last is +Inf */
  readonly rtt: number[];
  rttSum: number;
  rttCount: number;
  /** events counted, all names together: the events block's cache key */
  eventCount: number;
  /** each family's lines for this queue, and what they were made from */
  readonly blocks: Map<string, { readonly key: string | number; readonly text: string }>;
}

/** The exposition format's label-value escaping: backslash, double quote, newline. */
export function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

interface Family {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly help: string;
}
const families = {
  status: {
    name: 'streamforge_queue_status',
    type: 'gauge',
    help: "1 for the queue's current status, 0 for the others (stale: no event for --stale)",
  },
  info: { name: 'streamforge_queue_info', type: 'gauge', help: 'What the queue says it is, from its events (empty where it did not say)' },
  age: {
    name: 'streamforge_queue_last_event_age_seconds',
    type: 'gauge',
    help: "Seconds since the queue's last event (its own timestamp where it sent one)",
  },
  records: { name: 'streamforge_queue_records_written', type: 'gauge', help: 'The highest records_written the queue reported' },
  conflicts: {
    name: 'streamforge_queue_conflicts_total',
    type: 'counter',
    help: 'Terminal events beyond the first (a queue that finished and also failed, say)',
  },
  events: { name: 'streamforge_queue_events_total', type: 'counter', help: 'Events read from the events topic, by queue and event' },
  success: {
    name: 'streamforge_probe_success',
    type: 'gauge',
    help: "1 if the queue's last probe was answered within --probe-timeout, else 0",
  },
  failures: {
    name: 'streamforge_probe_failures_in_a_row',
    type: 'gauge',
    help: 'Probes of the queue that failed since the last one answered in time',
  },
  probes: {
    name: 'streamforge_probes_total',
    type: 'counter',
    help: 'Probes by result: answered (in time), late (after --probe-timeout), lost (never, by the next probe)',
  },
  rtt: { name: 'streamforge_probe_rtt_seconds', type: 'histogram', help: 'Round trip of probes answered in time, ping sent to pong read' },
} satisfies Record<string, Family>;

/** Every metric name the monitor exports, for the tests that check rules and dashboards. */
export const monitorMetricNames: readonly string[] = [
  ...Object.values(families).flatMap((f) => (f.type === 'histogram' ? [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`] : [f.name])),
  'streamforge_invalid_events_total',
  'streamforge_monitor_ready',
];

export function createMonitorMetrics(
  registry: Registry,
  view: () => Iterable<QueueView>,
  ready: () => boolean = () => true,
): MonitorMetrics {
  new Gauge({
    name: 'streamforge_monitor_ready',
    help: "1 while /readyz answers 200: the events reader positioned and Kafka answering (an alert's input: the monitor's own blind spot)",
    registers: [registry],
    collect() {
      this.set(ready() ? 1 : 0);
    },
  });
  const invalid = new Counter({
    name: 'streamforge_invalid_events_total',
    help: 'Records on the events topic that were not valid events (logged at warn, then skipped)',
    registers: [registry],
  });
  invalid.inc(0);
  const queues = new QueueText();
  return {
    event: (queueId, event) => {
      const c = queues.countsOf(queueId);
      c.events.set(event, (c.events.get(event) ?? 0) + 1);
      c.eventCount++;
    },
    invalidEvent: () => invalid.inc(),
    probeAnswered: (queueId, rttMs) => {
      const c = queues.countsOf(queueId);
      c.success = 1;
      c.failuresInARow = 0;
      const seconds = rttMs / 1000;
      let i = RTT_BUCKETS.findIndex((b) => seconds <= b);
      if (i < 0) i = RTT_BUCKETS.length;
      c.rtt[i] = (c.rtt[i] ?? 0) + 1;
      c.rttSum += seconds;
      c.rttCount++;
    },
    probeFailed: (queueId) => {
      const c = queues.countsOf(queueId);
      c.success = 0;
      c.failuresInARow++;
    },
    probeEnded: (queueId, result) => void queues.countsOf(queueId).probes[result]++,
    forget: (queueId) => queues.forget(queueId),
    source: {
      contentType: registry.contentType,
      text: async () => {
        const processWide = await registry.metrics();
        return `${processWide}${processWide.endsWith('\n') ? '' : '\n'}${queues.render(view())}`;
      },
      // the process-wide metrics only: JSON serves --workers' sums, which the monitor never runs
      json: () => registry.getMetricsAsJSON(),
    },
  };
}

type Row = { readonly v: QueueView; readonly c: QueueCounts };

/**
 * The per-queue families as exposition text. Most of a scrape does not change between two
 * scrapes (a queue's status, its histogram between probes): each queue's block of lines is
 * built once per change and reused, and a family none of whose blocks changed reuses its text.
 */
class QueueText {
  readonly #counts = new Map<string, QueueCounts>();
  /** blocks rebuilt so far: a family whose blocks were all reused reuses its text too */
  #rebuilt = 0;
  /** changes when a queue comes or goes: a family's text then has other members */
  #members = 0;
  readonly #familyTexts = new Map<string, { readonly members: number; readonly text: string }>();
  // the family being written: its lines go to #out from #start on
  #out: string[] = [];
  #start = 0;
  #family: Family | undefined;
  #rebuiltBefore = 0;

  countsOf(queueId: string): QueueCounts {
    let c = this.#counts.get(queueId);
    if (!c) {
      c = {
        label: `queue_id="${escapeLabel(queueId)}"`,
        events: new Map(),
        probes: { answered: 0, late: 0, lost: 0 },
        success: undefined,
        failuresInARow: 0,
        rtt: new Array<number>(BUCKET_LABELS.length).fill(0),
        rttSum: 0,
        rttCount: 0,
        eventCount: 0,
        blocks: new Map(),
      };
      this.#counts.set(queueId, c);
      this.#members++;
    }
    return c;
  }

  forget(queueId: string): void {
    if (this.#counts.delete(queueId)) this.#members++;
  }

  render(view: Iterable<QueueView>): string {
    const rows = [...view].map((v) => ({ v, c: this.countsOf(v.queueId) }));
    this.#out = [];
    this.#family = undefined;
    this.#stateLines(rows);
    this.#countedLines();
    this.#close();
    this.#out.push('');
    return this.#out.join('\n');
  }

  /** What the reducer's rows say: status, info, age, records written, conflicts. */
  #stateLines(rows: readonly Row[]): void {
    const out = this.#out;
    this.#head(families.status);
    for (const { v, c } of rows)
      out.push(
        this.#cached(c, 'status', v.status ?? '', () =>
          monitorStatuses.map((s) => `${families.status.name}{${c.label},status="${s}"} ${s === v.status ? 1 : 0}`).join('\n'),
        ),
      );
    this.#head(families.info);
    for (const { v, c } of rows) {
      const { symbol, type, producer } = v.row;
      out.push(
        this.#cached(
          c,
          'info',
          `${symbol ?? ''}\u0000${type ?? ''}\u0000${producer ?? ''}`,
          () =>
            `${families.info.name}{${c.label},symbol="${escapeLabel(symbol ?? '')}",type="${escapeLabel(type ?? '')}",producer="${escapeLabel(producer ?? '')}"} 1`,
        ),
      );
    }
    this.#head(families.age);
    for (const { v, c } of rows) out.push(`${families.age.name}{${c.label}} ${v.ageSeconds}`);
    this.#head(families.records);
    for (const { v, c } of rows) {
      const n = v.row.recordsWritten;
      if (n !== null) out.push(this.#cached(c, 'records', n, () => `${families.records.name}{${c.label}} ${n}`));
    }
    this.#head(families.conflicts);
    for (const { v, c } of rows) {
      const n = Math.max(0, v.row.terminalEvents - 1);
      out.push(this.#cached(c, 'conflicts', n, () => `${families.conflicts.name}{${c.label}} ${n}`));
    }
  }

  /** What was counted as it happened: events by name, and the probes. */
  #countedLines(): void {
    const out = this.#out;
    const all = [...this.#counts.values()];
    this.#head(families.events);
    for (const c of all)
      if (c.eventCount > 0)
        out.push(
          this.#cached(c, 'events', c.eventCount, () =>
            [...c.events].map(([event, n]) => `${families.events.name}{${c.label},event="${event}"} ${n}`).join('\n'),
          ),
        );
    const probed = all.filter((c) => c.success !== undefined);
    this.#head(families.success);
    for (const c of probed)
      out.push(this.#cached(c, 'success', c.success ?? 0, () => `${families.success.name}{${c.label}} ${c.success ?? 0}`));
    this.#head(families.failures);
    for (const c of probed)
      out.push(this.#cached(c, 'failures', c.failuresInARow, () => `${families.failures.name}{${c.label}} ${c.failuresInARow}`));
    this.#head(families.probes);
    for (const c of probed)
      out.push(
        this.#cached(c, 'probes', c.probes.answered + c.probes.late + c.probes.lost, () =>
          probeResults.map((r) => `${families.probes.name}{${c.label},result="${r}"} ${c.probes[r]}`).join('\n'),
        ),
      );
    this.#head(families.rtt);
    for (const c of all) if (c.rttCount > 0) out.push(this.#cached(c, 'rtt', c.rttCount, () => rttLines(c)));
  }

  /** A block of lines cached on the queue until `key` changes. */
  #cached(c: QueueCounts, family: string, key: string | number, make: () => string): string {
    const hit = c.blocks.get(family);
    if (hit && hit.key === key) return hit.text;
    this.#rebuilt++;
    const text = make();
    c.blocks.set(family, { key, text });
    return text;
  }

  #head(f: Family): void {
    this.#close();
    this.#family = f;
    this.#rebuiltBefore = this.#rebuilt;
    this.#start = this.#out.length;
    this.#out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
  }

  /** Ends the family being written: unchanged, its lines are replaced by last time's text. */
  #close(): void {
    const family = this.#family;
    if (!family) return;
    const out = this.#out;
    const prev = this.#familyTexts.get(family.name);
    const reuse = family !== families.age && prev?.members === this.#members && this.#rebuilt === this.#rebuiltBefore;
    const text = reuse && prev ? prev.text : out.slice(this.#start).join('\n');
    this.#familyTexts.set(family.name, { members: this.#members, text });
    out.length = this.#start;
    out.push(text);
  }
}

/** A queue's RTT histogram: cumulative buckets, sum, count. */
function rttLines(c: QueueCounts): string {
  const lines: string[] = [];
  let cumulative = 0;
  for (let i = 0; i < BUCKET_LABELS.length; i++) {
    cumulative += c.rtt[i] ?? 0;
    lines.push(`${families.rtt.name}_bucket{${c.label},le="${BUCKET_LABELS[i]}"} ${cumulative}`);
  }
  lines.push(`${families.rtt.name}_sum{${c.label}} ${c.rttSum}`, `${families.rtt.name}_count{${c.label}} ${c.rttCount}`);
  return lines.join('\n');
}
