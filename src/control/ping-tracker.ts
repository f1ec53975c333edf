/**
 * The bookkeeping of a ping run, free of I/O and timers so that it can be tested on its own:
 * which pings were sent, which pong answers which ping (the wire contract, docs/protocol.md: by command_id, or for a
 * legacy pong by queue_id and ping_ts == sent_at), what was late or duplicated, and the
 * figures per queue at the end.
 */
import { ANY_QUEUE, type ReceivedEvent } from '../protocol/types.js';
import { rttStats, type RttStats } from './rtt-stats.js';

export interface SentPing {
  readonly seq: number;
  readonly commandId: string;
  /** the command's sent_at (wall clock, unix seconds) */
  readonly sentAt: number;
  /** monotonic ms just before the produce call */
  readonly sentMono: number;
}

export type PongOutcome =
  | {
      readonly kind: 'reply';
      readonly queueId: string;
      readonly seq: number;
      readonly rttMs: number;
      readonly oneWayMs: number | undefined;
    }
  | { readonly kind: 'late'; readonly queueId: string; readonly seq: number; readonly rttMs: number }
  | { readonly kind: 'duplicate'; readonly queueId: string; readonly seq: number }
  | { readonly kind: 'unrelated' };

export interface QueueSummary {
  readonly queueId: string;
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
  readonly late: number;
  readonly duplicates: number;
  readonly lossPercent: number;
  readonly rtt: RttStats | undefined;
  /** ponged_at - ping_ts: one-way, subject to clock skew between hosts */
  readonly oneWay: RttStats | undefined;
}

export interface PingSummary {
  readonly target: string;
  readonly sent: number;
  /** pings that no queue answered in time */
  readonly unanswered: number;
  readonly queues: readonly QueueSummary[];
}

interface QueueRecord {
  readonly replied: Set<number>;
  readonly rtts: number[];
  readonly oneWays: number[];
  late: number;
  duplicates: number;
}

export class PingTracker {
  readonly #target: string;
  readonly #timeoutMs: number;
  readonly #pings: SentPing[] = [];
  readonly #byCommandId = new Map<string, SentPing>();
  readonly #bySentAt = new Map<number, SentPing>();
  readonly #queues = new Map<string, QueueRecord>();
  /** seq numbers that got at least one on-time reply from any queue */
  readonly #answered = new Set<number>();

  constructor(target: string, timeoutMs: number) {
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    if (target !== ANY_QUEUE) this.#queue(target);
  }

  get sentCount(): number {
    return this.#pings.length;
  }

  recordSent(ping: SentPing): void {
    this.#pings.push(ping);
    this.#byCommandId.set(ping.commandId, ping);
    this.#bySentAt.set(ping.sentAt, ping);
  }

  /** Classifies an event that arrived at monotonic time `arrivalMono`. */
  recordEvent(event: ReceivedEvent, arrivalMono: number): PongOutcome {
    if (event.event !== 'pong') return { kind: 'unrelated' };
    if (this.#target !== ANY_QUEUE && event.queue_id !== this.#target) return { kind: 'unrelated' };
    const ping = this.#match(event);
    if (!ping) return { kind: 'unrelated' };

    const queueId = event.queue_id;
    const q = this.#queue(queueId);
    const rttMs = arrivalMono - ping.sentMono;
    if (q.replied.has(ping.seq)) {
      q.duplicates++;
      return { kind: 'duplicate', queueId, seq: ping.seq };
    }
    q.replied.add(ping.seq);
    if (rttMs > this.#timeoutMs) {
      q.late++;
      return { kind: 'late', queueId, seq: ping.seq, rttMs };
    }
    this.#answered.add(ping.seq);
    q.rtts.push(rttMs);
    const oneWayMs =
      typeof event.ponged_at === 'number' && typeof event.ping_ts === 'number' ? (event.ponged_at - event.ping_ts) * 1000 : undefined;
    if (oneWayMs !== undefined) q.oneWays.push(oneWayMs);
    return { kind: 'reply', queueId, seq: ping.seq, rttMs, oneWayMs };
  }

  #match(event: ReceivedEvent): SentPing | undefined {
    if (typeof event.command_id === 'string') return this.#byCommandId.get(event.command_id);
    // A legacy pong: no command_id, so the copied sent_at is the correlation.
    if (typeof event.ping_ts === 'number') return this.#bySentAt.get(event.ping_ts);
    return undefined;
  }

  #queue(queueId: string): QueueRecord {
    let q = this.#queues.get(queueId);
    if (!q) {
      q = { replied: new Set(), rtts: [], oneWays: [], late: 0, duplicates: 0 };
      this.#queues.set(queueId, q);
    }
    return q;
  }

  /** Pings past their deadline without an on-time reply (from the target, or from anyone for "*"). */
  expired(nowMono: number): SentPing[] {
    return this.#pings.filter((p) => nowMono - p.sentMono > this.#timeoutMs && !this.#answered.has(p.seq));
  }

  /** True when waiting longer cannot change the outcome. */
  settled(nowMono: number, allSent: boolean): boolean {
    if (!allSent) return false;
    const last = this.#pings.at(-1);
    if (!last) return true;
    const pastLastDeadline = nowMono - last.sentMono > this.#timeoutMs;
    // For "*" nobody knows how many queues will answer: wait out the last deadline.
    if (this.#target === ANY_QUEUE) return pastLastDeadline;
    return pastLastDeadline || this.#pings.every((p) => this.#answered.has(p.seq));
  }

  summary(): PingSummary {
    const sent = this.#pings.length;
    const queues = [...this.#queues.entries()].map(([queueId, q]): QueueSummary => {
      const received = q.rtts.length;
      const lost = sent - received;
      return {
        queueId,
        sent,
        received,
        lost,
        late: q.late,
        duplicates: q.duplicates,
        lossPercent: sent === 0 ? 0 : (lost / sent) * 100,
        rtt: rttStats(q.rtts),
        oneWay: rttStats(q.oneWays),
      };
    });
    return { target: this.#target, sent, unanswered: sent - this.#answered.size, queues };
  }
}

/** Exit status of a run: any lost ping fails it, and "*" with no answer at all fails too. */
export function pingFailed(summary: PingSummary): boolean {
  if (summary.sent === 0) return false;
  if (summary.queues.length === 0) return true;
  return summary.unanswered > 0 || summary.queues.some((q) => q.lost > 0);
}
