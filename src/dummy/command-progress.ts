/**
 * Which position of the control topic a service may commit, free of I/O so that it can be
 * tested on its own. A command counts as handled once the events it caused are settled (a
 * pong, or the terminal event of a stop). The committable position of a partition never passes
 * a command still being handled, so a crash can repeat a command but never skip one: a `stop`
 * whose `interrupted` was not yet delivered is read again by the next life.
 */
import type { Position } from '../kafka/reader.js';

interface PartitionState {
  /** the position the group has stored (or that we are about to store) */
  committed: number | undefined;
  /** the position that follows the last finished command */
  next: number | undefined;
  readonly inFlight: Set<number>;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class CommandProgress {
  readonly #partitions = new Map<string, PartitionState & { readonly topic: string; readonly partition: number }>();

  #state(topic: string, partition: number): PartitionState {
    const k = key(topic, partition);
    let s = this.#partitions.get(k);
    if (!s) {
      s = { topic, partition, committed: undefined, next: undefined, inFlight: new Set() };
      this.#partitions.set(k, s);
    }
    return s;
  }

  /**
   * Where reading starts; `committed` is what the group had stored, if anything. A start that
   * differs from it (no offset yet, commands expired, the topic recreated) is committed first,
   * so that the next life resumes here even if this one handles nothing.
   */
  start(topic: string, partition: number, offset: number, committed: number | undefined): void {
    const s = this.#state(topic, partition);
    s.next = offset;
    s.committed = committed === offset ? committed : undefined;
  }

  begin(topic: string, partition: number, offset: number): void {
    this.#state(topic, partition).inFlight.add(offset);
  }

  finish(topic: string, partition: number, offset: number): void {
    const s = this.#state(topic, partition);
    s.inFlight.delete(offset);
    s.next = Math.max(s.next ?? 0, offset + 1);
  }

  /** A command that needs nothing done (another queue's, or not a command at all). */
  skip(topic: string, partition: number, offset: number): void {
    this.finish(topic, partition, offset);
  }

  /** Positions ahead of what the group has stored: what the next commit should carry. */
  uncommitted(): Position[] {
    const out: Position[] = [];
    for (const s of this.#partitions.values()) {
      if (s.next === undefined) continue;
      const firstOpen = s.inFlight.size > 0 ? Math.min(...s.inFlight) : undefined;
      const offset = firstOpen === undefined ? s.next : Math.min(firstOpen, s.next);
      if (s.committed === undefined || offset > s.committed) out.push({ topic: s.topic, partition: s.partition, offset });
    }
    return out;
  }

  /** The group stored these positions. */
  committed(positions: readonly Position[]): void {
    for (const p of positions) {
      const s = this.#state(p.topic, p.partition);
      s.committed = Math.max(s.committed ?? p.offset, p.offset);
    }
  }
}
