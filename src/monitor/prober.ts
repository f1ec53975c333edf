/**
 * Monitor's probes: one ping per live queue per interval, each by the queue's own id (legacy
 * services do not answer "*"), matched by the same tracker as `ping` (command_id, or a legacy
 * pong's ping_ts). Free of timers and Kafka: the caller drives `tick` and feeds events, so the
 * timing is tested with a fake clock.
 */
import type { Clock } from '../control/control-io.js';
import { PingTracker } from '../control/ping-tracker.js';
import { commandRecord, makeCommand, type CommandRecord } from '../protocol/commands.js';
import type { ReceivedEvent } from '../protocol/types.js';

/** How a probe ended: answered in time, answered after its timeout, or never. */
export type ProbeResult = 'answered' | 'late' | 'lost';

export interface ProbeListener {
  /** a pong within the timeout */
  answered(queueId: string, rttMs: number): void;
  /** the timeout passed without a pong: the probe failed (a pong may still come, as late) */
  timedOut(queueId: string): void;
  /**
   * the probe's final result, once per probe: at the pong, or for a probe that timed out when
   * the next probe replaces it or the queue is dropped (so a late pong is not also counted lost)
   */
  ended(queueId: string, result: ProbeResult): void;
  /** Kafka did not take the ping: the monitor's trouble, not the queue's, so no result */
  sendFailed(queueId: string, err: unknown): void;
}

interface Outstanding {
  readonly tracker: PingTracker;
  readonly sentMono: number;
  timedOut: boolean;
}

export class Prober {
  readonly #timeoutMs: number;
  readonly #send: (record: CommandRecord) => Promise<unknown>;
  readonly #clock: Clock;
  readonly #listener: ProbeListener;
  readonly #open = new Map<string, Outstanding>();

  constructor(opts: {
    readonly timeoutMs: number;
    readonly send: (record: CommandRecord) => Promise<unknown>;
    readonly clock: Clock;
    readonly listener: ProbeListener;
  }) {
    this.#timeoutMs = opts.timeoutMs;
    this.#send = opts.send;
    this.#clock = opts.clock;
    this.#listener = opts.listener;
  }

  /** probes still waiting for their pong (or for the next probe, after a timeout) */
  get outstanding(): number {
    return this.#open.size;
  }

  probe(queueId: string): void {
    this.drop(queueId);
    const sentMono = this.#clock.mono();
    const command = makeCommand(queueId, 'ping', this.#clock.wall());
    const tracker = new PingTracker(queueId, this.#timeoutMs);
    tracker.recordSent({ seq: 1, commandId: command.command_id, sentAt: command.sent_at, sentMono });
    const probe: Outstanding = { tracker, sentMono, timedOut: false };
    this.#open.set(queueId, probe);
    this.#send(commandRecord(command)).catch((err: unknown) => {
      if (this.#open.get(queueId) !== probe) return;
      this.#open.delete(queueId);
      this.#listener.sendFailed(queueId, err);
    });
  }

  event(event: ReceivedEvent, arrivalMono: number): void {
    if (event.event !== 'pong') return;
    const probe = this.#open.get(event.queue_id);
    if (!probe) return;
    const outcome = probe.tracker.recordEvent(event, arrivalMono);
    if (outcome.kind === 'reply') {
      this.#open.delete(event.queue_id);
      this.#listener.answered(event.queue_id, outcome.rttMs);
      this.#listener.ended(event.queue_id, 'answered');
    } else if (outcome.kind === 'late') {
      this.#open.delete(event.queue_id);
      // the pong came before the tick that would have noticed the timeout
      if (!probe.timedOut) this.#listener.timedOut(event.queue_id);
      this.#listener.ended(event.queue_id, 'late');
    }
  }

  /** Reports the probes whose timeout has passed. */
  tick(nowMono: number): void {
    for (const [queueId, probe] of this.#open) {
      if (probe.timedOut || nowMono - probe.sentMono <= this.#timeoutMs) continue;
      probe.timedOut = true;
      this.#listener.timedOut(queueId);
    }
  }

  /**
   * Forgets every outstanding probe without a result: while the monitor cannot reach Kafka, no
   * pong can come, and that says nothing about the queues.
   */
  abandon(): void {
    this.#open.clear();
  }

  /** Ends a queue's outstanding probe: lost if it timed out, forgotten if it was still in time. */
  drop(queueId: string): void {
    const probe = this.#open.get(queueId);
    if (!probe) return;
    this.#open.delete(queueId);
    if (probe.timedOut) this.#listener.ended(queueId, 'lost');
  }
}

/**
 * When each live queue is probed: every `intervalMs`, a queue first seen at a phase of its own
 * within the interval (from a hash of its id), so 1,000 queues seen at once are not pinged in
 * one burst that the services' RTTs would then measure.
 */
export class ProbeSchedule {
  readonly #intervalMs: number;
  readonly #next = new Map<string, number>();

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /**
   * The live queues due before `nowMono + horizonMs`, each with the time it is due (a caller
   * that looks every 100 ms sets a timer for each, so that the probes go out spread, not 20 at
   * a time). Queues no longer live leave the schedule.
   */
  due(live: Iterable<string>, nowMono: number, horizonMs = 0): Array<{ readonly queueId: string; readonly at: number }> {
    const out: Array<{ queueId: string; at: number }> = [];
    const seen = new Set<string>();
    for (const queueId of live) {
      seen.add(queueId);
      const at = this.#next.get(queueId) ?? nowMono + phase(queueId, this.#intervalMs);
      if (at > nowMono + horizonMs) {
        this.#next.set(queueId, at);
        continue;
      }
      out.push({ queueId, at: Math.max(at, nowMono) });
      // a monitor that stalled for longer than an interval probes once, not once per missed turn
      const next = at + this.#intervalMs;
      this.#next.set(queueId, next > nowMono ? next : nowMono + this.#intervalMs);
    }
    for (const queueId of this.#next.keys()) if (!seen.has(queueId)) this.#next.delete(queueId);
    return out;
  }
}

/**
 * FNV-1a of the id, mixed by murmur3's finaliser (FNV alone left ids that differ in their last
 * characters bunched: 39 of q0..q99 in one tenth of the interval), as a fraction of the
 * interval: stable across restarts, spread evenly.
 */
function phase(queueId: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < queueId.length; i++) h = Math.imul(h ^ queueId.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) / 0x1_0000_0000) * intervalMs;
}
