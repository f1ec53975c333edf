/**
 * The terminal view: the control plane (one reader over both topics, a producer that connects
 * on the first ping or stop) feeds the screen; `p` runs the ping runner over that same reader.
 */
import type { Readable, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { controlIoOver } from '../control/control-io.js';
import { runPing, type PingReporter } from '../control/ping-run.js';
import type { StartPosition } from '../kafka/reader.js';
import type { Logger } from '../observability/logger.js';
import { commandRecord, makeCommand } from '../protocol/commands.js';
import { openControlPlane } from '../plane/control-plane.js';
import type { EventFilter } from '../plane/decode.js';
import { layoutEngineReady } from './layout-engine.js';
import type { WatchSource } from './source.js';

export interface WatchTuiOptions {
  readonly conn: KafkaConnection;
  readonly topics: { readonly control: string; readonly events: string };
  readonly start: StartPosition;
  readonly filter: EventFilter;
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
  const plane = openControlPlane({ ...opts, clientId: 'streamforge-watch' });
  const source: WatchSource = {
    brokers: opts.conn.brokers,
    eventsTopic: opts.topics.events,
    subscribe: plane.subscribe,
    connection: plane.connection,
    async ping(queueId) {
      const io = controlIoOver(plane.feed, plane.send);
      // The pong can only be seen once the reader is positioned, and the round trip is timed from
      // the send: connecting the producer first keeps the connect out of it (the first `p` of a
      // session showed ~60 ms where ping measured 2 ms).
      await plane.connectProducer();
      try {
        const summary = await runPing(io, { target: queueId, repeat: 1, intervalMs: 1000, timeoutMs: 5000 }, silent);
        return summary.queues[0]?.rtt?.avg;
      } finally {
        await io.close();
      }
    },
    async stop(queueId) {
      await plane.send(commandRecord(makeCommand(queueId, 'stop', Date.now())));
    },
  };
  return { source, ready: plane.ready, close: plane.close };
}

export async function runWatchTui(opts: WatchTuiOptions): Promise<number> {
  // Each event lives ~2 s in the ring buffer at 5,000/s, long enough to be promoted, so the old
  // generation filled with dead events before V8 collected it (216 MB RSS with a 27 MB live heap).
  // A viewer should favour memory over speed; V8 reads this GC heuristic at each decision, so
  // setting it at run time works (132 MB in bench:watch) without a node flag for every subcommand.
  setFlagsFromString('--optimize-for-size');
  const { source, ready, close } = openWatchSource(opts);
  const [{ render }, React, { App }] = await Promise.all([import('ink'), import('react'), import('./ui/App.js'), layoutEngineReady()]);
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
