/**
 * The control plane as a long-running viewer sees it: one reader over the control and events
 * topics (records decoded into `Incoming` items, in batches), the raw events for ping trackers,
 * and a command producer that connects on the first send. watch's screen and monitor are built
 * on it, so a ping they send is matched by the reader that is already positioned (no pong is
 * missed while a second reader would be opening).
 */
import { performance } from 'node:perf_hooks';
import type { KafkaConnection } from '../config/kafka-connection.js';
import type { ControlIo, EventFeed, EventListener } from '../control/control-io.js';
import { connectCommandProducer, sendCommand } from '../control/kafka-control-io.js';
import type { KafkaProducer } from '../kafka/producer.js';
import { KafkaReader, type ReceivedMessage, type StartPosition } from '../kafka/reader.js';
import type { Logger } from '../observability/logger.js';
import { validators } from '../protocol/validators.js';
import { passes, toIncoming, type EventFilter } from './decode.js';
import type { Incoming } from './reducer.js';

/** Whether the reader is reaching Kafka: shown by watch's header, exported by monitor. */
export type ConnectionState = 'connecting' | 'connected' | 'lost';

export interface ControlPlaneOptions {
  readonly conn: KafkaConnection;
  readonly topics: { readonly control: string; readonly events: string };
  readonly start: StartPosition;
  readonly filter: EventFilter;
  readonly logger: Logger;
  /** names the reader and producer in the broker's logs and quotas */
  readonly clientId: string;
  /**
   * read the control topic too (watch shows commands); monitor's Kafka user may only write to
   * it, so monitor reads the events topic alone
   */
  readonly readControl?: boolean;
  /**
   * read message by message, so a pong is seen the moment it arrives (monitor's probes): a
   * batch waits for the partition's end, which the next fetch reports, and probes measured
   * 20 ms where ping measured 8 ms. Messages that arrive together still reach listeners as one
   * batch.
   */
  readonly prompt?: boolean;
}

export interface ControlPlane {
  /** resolves once the reader is positioned; rejects with the connect error (unreachable, auth) */
  readonly ready: Promise<void>;
  /** batches of records that pass the filter, in the order read; returns an unsubscribe */
  subscribe(listener: (items: readonly Incoming[]) => void): () => void;
  /** every valid event with its monotonic arrival time, unfiltered: what a ping tracker needs */
  readonly feed: EventFeed;
  /** a command on the control topic, once the reader is positioned and the producer connected */
  readonly send: ControlIo['send'];
  /** connects the command producer now, so that the first round trip does not include it */
  connectProducer(): Promise<void>;
  connection(): ConnectionState;
  /** asks a broker whether it is there (librdkafka reconnects silently) and updates connection() */
  checkConnection(timeoutMs: number): Promise<ConnectionState>;
  close(): Promise<void>;
}

/**
 * Returns at once and connects in the background, so a screen can show "connecting" and a
 * monitor can answer /healthz while a slow or unreachable broker is tried.
 */
export function openControlPlane(opts: ControlPlaneOptions): ControlPlane {
  validators();
  const fanout = new RecordFanout(opts.topics.control, opts.filter);
  let connection: ConnectionState = 'connecting';
  /** the consume loop stopped: no metadata answer brings the reader back */
  let stopped = false;
  const opening = KafkaReader.open(opts.conn, {
    clientId: opts.clientId,
    logger: opts.logger,
    topics: opts.readControl === false ? [opts.topics.events] : [opts.topics.control, opts.topics.events],
    start: opts.start,
    followNewPartitionsMs: 2000,
    profile: opts.prompt ? 'latency' : 'viewer',
    onError: () => {
      stopped = true;
      connection = 'lost';
    },
    ...(opts.prompt ? { onMessage: fanout.onMessage } : { onBatch: (msgs: ReceivedMessage[]) => fanout.handle(msgs) }),
  });
  const ready = opening.then(() => void (connection = 'connected'));
  // the caller observes failures through `ready`; this keeps an unobserved rejection from crashing
  ready.catch(() => (connection = 'lost'));

  let producer: Promise<KafkaProducer> | undefined;
  const connectedProducer = (): Promise<KafkaProducer> => (producer ??= connectCommandProducer(opts.conn, opts.logger, opts.clientId));
  const send: ControlIo['send'] = async (record) => {
    await ready;
    return sendCommand(await connectedProducer(), opts.topics.control, record);
  };

  let closing: Promise<void> | undefined;
  return {
    ready,
    subscribe: (l) => fanout.subscribe(l),
    feed: fanout.feed,
    send,
    connectProducer: async () => {
      await ready;
      await connectedProducer();
    },
    connection: () => connection,
    async checkConnection(timeoutMs) {
      if (connection === 'connecting' || stopped) return connection;
      const reader = await opening.catch(() => undefined);
      if (reader) connection = (await reader.reachable(timeoutMs)) ? 'connected' : 'lost';
      return connection;
    },
    close: () =>
      (closing ??= (async () => {
        // Quitting while still connecting must not wait out the connect timeout: the reader that
        // opens later is closed then, and the CLI's exit does not wait for it.
        if (connection === 'connecting')
          void opening.then(
            (r) => r.close(),
            () => undefined,
          );
        else
          await opening.then(
            (r) => r.close(),
            () => undefined,
          );
        await (await producer?.catch(() => undefined))?.close(2000).catch(() => undefined);
      })()),
  };
}

/**
 * Records read, decoded, and handed on: to subscribers filtered and in batches, to event
 * listeners every valid event with its arrival time.
 */
class RecordFanout {
  readonly #listeners = new Set<(items: readonly Incoming[]) => void>();
  // Records read before anyone subscribes (history from --since/--from-beginning arrives at
  // once) wait here: nothing is dropped.
  #early: Incoming[] | undefined = [];
  readonly #eventListeners = new Set<EventListener>();
  // prompt mode: the messages of one tick are handled together after it, each event timed by
  // its own arrival (a probe's round trip must not include the wait for its batch-mates)
  #arrived: ReceivedMessage[] = [];
  #arrivedAt: number[] = [];

  constructor(
    private readonly controlTopic: string,
    private readonly filter: EventFilter,
  ) {}

  /** `times`: when each message reached JavaScript, where it waited for its batch-mates */
  handle(msgs: readonly ReceivedMessage[], times?: readonly number[]): void {
    const arrival = performance.now();
    const items = msgs.map((m) => toIncoming(m, this.controlTopic));
    items.forEach((item, i) => {
      if (item.kind === 'event') for (const l of this.#eventListeners) l(item.event, times?.[i] ?? arrival);
    });
    const shown = items.filter((i) => passes(i, this.filter));
    if (shown.length === 0) return;
    if (this.#early) this.#early.push(...shown);
    else for (const l of this.#listeners) l(shown);
  }

  /** prompt mode's reader callback: one message, handled with the rest of its tick */
  readonly onMessage = (msg: ReceivedMessage): void => {
    this.#arrivedAt.push(performance.now());
    if (this.#arrived.push(msg) === 1) setImmediate(this.#handleArrived);
  };

  readonly #handleArrived = (): void => {
    const [msgs, times] = [this.#arrived, this.#arrivedAt];
    this.#arrived = [];
    this.#arrivedAt = [];
    this.handle(msgs, times);
  };

  subscribe(l: (items: readonly Incoming[]) => void): () => void {
    this.#listeners.add(l);
    if (this.#early) {
      const waiting = this.#early;
      this.#early = undefined;
      if (waiting.length > 0) l(waiting);
    }
    return () => this.#listeners.delete(l);
  }

  readonly feed: EventFeed = (listener) => {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  };
}
