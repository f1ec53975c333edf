/**
 * The control plane's live model, as a pure function of what was read from it: one row per
 * queue and a ring buffer of recent events. watch draws it, monitor exports it as metrics. Events arrive in batches (the screen redraws at most ~15 times a
 * second), so the buffer is copied once per batch, not once per event.
 */
import { ANY_QUEUE, isTerminal, type Command, type ReceivedEvent } from '../protocol/types.js';

export interface RecordMeta {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** the record's Kafka timestamp, ms */
  readonly timestamp: number | undefined;
  /** the W3C trace id in the record's traceparent header, when it has one */
  readonly traceId?: string;
}

export type Incoming =
  | (RecordMeta & { readonly kind: 'event'; readonly event: ReceivedEvent })
  | (RecordMeta & { readonly kind: 'command'; readonly command: Command })
  | (RecordMeta & { readonly kind: 'invalid'; readonly reason: string; readonly raw: string });

export interface LogEntry {
  readonly seq: number;
  readonly item: Incoming;
  /** wall clock when watch read it, ms */
  readonly at: number;
}

export interface QueueRow {
  readonly queueId: string;
  /** status of the last status event, or the last event's name for legacy events */
  readonly status: string;
  readonly symbol: string | null;
  readonly type: string | null;
  readonly producer: string | null;
  readonly recordsWritten: number | null;
  readonly lastEventAt: number;
  readonly pings: number;
  readonly pongs: number;
  /** round trip of watch's own last ping, ms */
  readonly lastRttMs: number | null;
  readonly terminalEvents: number;
}

export interface PlaneState {
  readonly queues: ReadonlyMap<string, QueueRow>;
  readonly log: readonly LogEntry[];
  readonly maxEvents: number;
  readonly total: number;
  readonly invalid: number;
  readonly nextSeq: number;
}

export type PlaneAction =
  | { readonly type: 'records'; readonly items: readonly Incoming[]; readonly now: number }
  | { readonly type: 'rtt'; readonly queueId: string; readonly ms: number }
  | { readonly type: 'clear' }
  /** drop these queues' rows (monitor: ended queues, so its series do not grow without bound) */
  | { readonly type: 'forget'; readonly queueIds: readonly string[] };

export function initialPlaneState(maxEvents: number): PlaneState {
  return { queues: new Map(), log: [], maxEvents, total: 0, invalid: 0, nextSeq: 1 };
}

function emptyRow(queueId: string, now: number): QueueRow {
  return {
    queueId,
    status: '-',
    symbol: null,
    type: null,
    producer: null,
    recordsWritten: null,
    lastEventAt: now,
    pings: 0,
    pongs: 0,
    lastRttMs: null,
    terminalEvents: 0,
  };
}

function applyEvent(row: QueueRow, e: ReceivedEvent, at: number): QueueRow {
  const when = typeof e.timestamp === 'number' ? e.timestamp * 1000 : typeof e.sent_at === 'number' ? e.sent_at * 1000 : at;
  const next: QueueRow = {
    ...row,
    lastEventAt: Math.max(row.lastEventAt, when),
    symbol: e.symbol ?? row.symbol,
    type: e.type ?? row.type,
    producer: e.producer ?? row.producer,
    recordsWritten: typeof e.records_written === 'number' ? Math.max(e.records_written, row.recordsWritten ?? 0) : row.recordsWritten,
  };
  if (e.event === 'pong') return { ...next, pongs: row.pongs + 1 };
  return { ...next, status: e.status ?? e.event, terminalEvents: row.terminalEvents + (isTerminal(e.event) ? 1 : 0) };
}

export function planeReducer(state: PlaneState, action: PlaneAction): PlaneState {
  switch (action.type) {
    case 'clear':
      return { ...state, log: [] };
    case 'forget': {
      if (!action.queueIds.some((q) => state.queues.has(q))) return state;
      const queues = new Map(state.queues);
      for (const q of action.queueIds) queues.delete(q);
      return { ...state, queues };
    }
    case 'rtt': {
      const row = state.queues.get(action.queueId) ?? emptyRow(action.queueId, Date.now());
      const queues = new Map(state.queues);
      queues.set(action.queueId, { ...row, lastRttMs: action.ms });
      return { ...state, queues };
    }
    case 'records': {
      if (action.items.length === 0) return state;
      const queues = new Map(state.queues);
      let invalid = state.invalid;
      let seq = state.nextSeq;
      const added: LogEntry[] = [];
      for (const item of action.items) {
        added.push({ seq: seq++, item, at: action.now });
        if (item.kind === 'invalid') {
          invalid++;
          continue;
        }
        if (item.kind === 'command') {
          if (item.command.command !== 'ping') continue;
          // a ping to "*" is a ping to every queue known so far
          const targets = item.command.queue_id === ANY_QUEUE ? [...queues.keys()] : [item.command.queue_id];
          for (const q of targets) {
            const row = queues.get(q) ?? emptyRow(q, action.now);
            queues.set(q, { ...row, pings: row.pings + 1 });
          }
          continue;
        }
        const q = item.event.queue_id;
        // a row born from an event takes the event's own time, not the time watch read it
        queues.set(q, applyEvent(queues.get(q) ?? emptyRow(q, 0), item.event, action.now));
      }
      const keep = Math.max(0, state.maxEvents - added.length);
      // slice(-0) is the whole array: a reducer without a log (monitor's) keeps none
      const log = state.maxEvents === 0 ? state.log : [...(keep === 0 ? [] : state.log.slice(-keep)), ...added.slice(-state.maxEvents)];
      return { ...state, queues, log, total: state.total + action.items.length, invalid, nextSeq: seq };
    }
  }
}

export type Health = 'ok' | 'stale' | 'conflict' | 'ended';

/** A queue with two terminal events is conflicting; one silent for `staleMs` is stale. */
export function queueHealth(row: QueueRow, now: number, staleMs: number): Health {
  if (row.terminalEvents > 1) return 'conflict';
  if (row.terminalEvents === 1) return 'ended';
  return now - row.lastEventAt > staleMs ? 'stale' : 'ok';
}

/**
 * Queues silent for `forgetAfterMs` that ended, or went stale (a killed service never ends):
 * what a long-running reader drops so that its rows do not grow without bound.
 */
export function forgettable(state: PlaneState, now: number, forgetAfterMs: number, staleMs: number): string[] {
  const out: string[] = [];
  for (const row of state.queues.values())
    if (queueHealth(row, now, staleMs) !== 'ok' && now - row.lastEventAt >= forgetAfterMs) out.push(row.queueId);
  return out;
}

export function queueRows(state: PlaneState): QueueRow[] {
  return [...state.queues.values()].sort((a, b) => a.queueId.localeCompare(b.queueId));
}

/** Filter text: an event type ("pong"), else a queue id substring, else free text in the JSON. */
export function matchesFilter(entry: LogEntry, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  const item = entry.item;
  if (item.kind === 'event') {
    if (item.event.event === f) return true;
    if (item.event.queue_id.toLowerCase().includes(f)) return true;
    return JSON.stringify(item.event).toLowerCase().includes(f);
  }
  if (item.kind === 'command')
    return (
      item.command.command === f ||
      item.command.queue_id.toLowerCase().includes(f) ||
      JSON.stringify(item.command).toLowerCase().includes(f)
    );
  return f === 'invalid' || item.raw.toLowerCase().includes(f) || item.reason.toLowerCase().includes(f);
}
