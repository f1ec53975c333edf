/**
 * The terminal view's Kafka side: one reader over the control and events topics feeds the
 * screen; `p` reuses the ping runner over that same reader (already positioned, so no pong is
 * missed) and a producer that connects on the first ping or stop.
 */
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { controlIoOver, type ControlIo, type EventListener } from '../control/control-io.js';
import { connectCommandProducer, sendCommand } from '../control/kafka-control-io.js';
import { runPing, type PingReporter } from '../control/ping-run.js';
import type { KafkaProducer } from '../kafka/producer.js';
import { KafkaReader, type StartPosition } from '../kafka/reader.js';
import type { Logger } from '../observability/logger.js';
import { makeCommand } from '../protocol/commands.js';
import { validators } from '../protocol/validators.js';
import { passes, toIncoming, type WatchFilter } from './decode.js';
import type { Incoming } from './reducer.js';
import type { ConnectionState, WatchSource } from './source.js';

export interface WatchTuiOptions {
  readonly conn: KafkaConnection;
  readonly topics: { readonly control: string; readonly events: string };
  readonly start: StartPosition;
  readonly filter: WatchFilter;
  readonly maxEvents: number;
  readonly staleMs: number;
  readonly logger: Logger;
  readonly stdin: Readable;
  readonly stdout: Writable;
}

const silent: PingReporter = {
  start: () => undefined,
  sent: () => undefined,
  outcome: () => undefined,
  timeout: () => undefined,
  summary: () => undefined,
};

export type WatchSourceOptions = Pick<WatchTuiOptions, 'conn' | 'topics' | 'start' | 'filter' | 'logger'>;

export interface OpenedWatchSource {
  readonly source: WatchSource;
  /** resolves once the reader is positioned; rejects with the connect error (unreachable, auth) */
  readonly ready: Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * The screen's Kafka side, usable without a screen (tests render it with ink-testing-library).
 * It returns at once and connects in the background, so the screen can show "connecting" and
 * take keys (q quits) while a slow or unreachable broker is tried.
 */
export function openWatchSource(opts: WatchSourceOptions): OpenedWatchSource {
  validators();
  const listeners = new Set<(items: readonly Incoming[]) => void>();
  // Records read before the screen subscribes (history from --since/--from-beginning arrives at
  // once) wait here: nothing is dropped.
  let early: Incoming[] | undefined = [];
  const eventListeners = new Set<EventListener>();
  let connection: ConnectionState = 'connecting';
  const opening = KafkaReader.open(opts.conn, {
    clientId: 'streamforge-watch',
    logger: opts.logger,
    topics: [opts.topics.control, opts.topics.events],
    start: opts.start,
    followNewPartitionsMs: 2000,
    profile: 'viewer',
    onError: () => (connection = 'lost'),
    onBatch: (msgs) => {
      const arrival = performance.now();
      const items = msgs.map((m) => toIncoming(m, opts.topics.control));
      for (const item of items) if (item.kind === 'event') for (const l of eventListeners) l(item.event, arrival);
      const shown = items.filter((i) => passes(i, opts.filter));
      if (shown.length === 0) return;
      if (early) early.push(...shown);
      else for (const l of listeners) l(shown);
    },
  });
  const ready = opening.then(() => void (connection = 'connected'));
  // the caller observes failures through `ready`; this keeps an unobserved rejection from crashing
  ready.catch(() => (connection = 'lost'));

  let producer: Promise<KafkaProducer> | undefined;
  const connectedProducer = (): Promise<KafkaProducer> =>
    (producer ??= connectCommandProducer(opts.conn, opts.logger, 'streamforge-watch'));
  const send: ControlIo['send'] = async (command) => {
    await ready;
    return sendCommand(await connectedProducer(), opts.topics.control, command);
  };
  const feed = (listener: EventListener): (() => void) => {
    eventListeners.add(listener);
    return () => eventListeners.delete(listener);
  };

  const source: WatchSource = {
    brokers: opts.conn.brokers,
    eventsTopic: opts.topics.events,
    subscribe: (l) => {
      listeners.add(l);
      if (early) {
        const waiting = early;
        early = undefined;
        if (waiting.length > 0) l(waiting);
      }
      return () => listeners.delete(l);
    },
    connection: () => connection,
    async ping(queueId) {
      const io = controlIoOver(feed, send);
      // The pong can only be seen once the reader is positioned, and the round trip is timed from
      // the send: connecting the producer first keeps the connect out of it (the first `p` of a
      // session showed ~60 ms where ping measured 2 ms).
      await ready;
      await connectedProducer();
      try {
        const summary = await runPing(io, { target: queueId, repeat: 1, intervalMs: 1000, timeoutMs: 5000 }, silent);
        return summary.queues[0]?.rtt?.avg;
      } finally {
        await io.close();
      }
    },
    async stop(queueId) {
      await send(makeCommand(queueId, 'stop', Date.now()));
    },
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
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
    })());
  return { source, ready, close };
}

export async function runWatchTui(opts: WatchTuiOptions): Promise<number> {
  // Each event lives ~2 s in the ring buffer at 5,000/s, long enough to be promoted, so the old
  // generation filled with dead events before V8 collected it (216 MB RSS with a 27 MB live heap).
  // A viewer should favour memory over speed; V8 reads this GC heuristic at each decision, so
  // setting it at run time works (132 MB in bench:watch) without a node flag for every subcommand.
  setFlagsFromString('--optimize-for-size');
  const { source, ready, close } = openWatchSource(opts);
  const [{ render }, React, { App }] = await Promise.all([import('ink'), import('react'), import('./ui/App.js')]);
  const app = render(React.createElement(App, { source, maxEvents: opts.maxEvents, staleMs: opts.staleMs }), {
    stdin: opts.stdin as NodeJS.ReadStream,
    stdout: opts.stdout as NodeJS.WriteStream,
    exitOnCtrlC: false,
  });
  try {
    // A broker that cannot be reached (or refuses the login) ends the view with the error and its
    // exit code, as every other subcommand does; quitting first is a clean exit.
    const failed = ready.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => err,
    );
    const outcome = await Promise.race([app.waitUntilExit().then(() => undefined), failed]);
    if (outcome !== undefined) {
      app.unmount();
      throw outcome;
    }
  } finally {
    await close();
  }
  return 0;
}
