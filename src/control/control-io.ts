/**
 * What the control-plane runs (ping, stop, watch's keys) need from the outside world: a way to
 * send a command and hear events, and a clock. Kafka implements the first
 * (kafka-control-io.ts), tests a fake; the runs stay testable without a broker or wall time.
 */
import { performance } from 'node:perf_hooks';
import type { CommandRecord } from '../protocol/commands.js';
import type { ReceivedEvent } from '../protocol/types.js';

export type EventListener = (event: ReceivedEvent, arrivalMono: number) => void;

/** Where Kafka put a command. */
export interface Delivered {
  readonly partition: number;
  readonly offset: number;
}

/** What a control-plane command needs from Kafka. */
export interface ControlIo {
  /** resolves once the events reader is positioned; events then flow to the callback */
  listen(onEvent: EventListener): Promise<void>;
  /** one command on the control topic, under the key its record carries (protocol's commandRecord); `headers` go with it (a trace's context) */
  send(record: CommandRecord, headers?: Readonly<Record<string, string>>): Promise<Delivered>;
  close(): Promise<void>;
}

export interface Clock {
  /** monotonic milliseconds, for round trips */
  mono(): number;
  /** wall-clock milliseconds, for what goes on the wire */
  wall(): number;
}

export const systemClock: Clock = { mono: () => performance.now(), wall: () => Date.now() };

/** Events from a reader someone else owns: add a listener, get back its removal. */
export type EventFeed = (listener: EventListener) => () => void;

/**
 * A ControlIo over a reader that is already positioned and a sender: watch's view reads both
 * topics once, and its `p` and `s` keys must not open a second reader (nor miss a pong while
 * one is positioned).
 */
export function controlIoOver(feed: EventFeed, send: ControlIo['send']): ControlIo {
  let remove: (() => void) | undefined;
  return {
    listen: async (onEvent) => {
      remove = feed(onEvent);
    },
    send,
    close: async () => remove?.(),
  };
}
