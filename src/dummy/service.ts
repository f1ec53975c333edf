/**
 * The dummy service: the state machine wired to Kafka, timers and the metrics endpoint.
 * Start-up order is the protocol's: producer, topics, command reader positioned (after the
 * group's committed offset, or at the end, which is then committed), and only then `started`,
 * so a ping sent after `started` is seen always gets its pong, in this life or the next.
 */
import type { Registry } from 'prom-client';
import type { KafkaConnection } from '../config/kafka-connection.js';
import type { ControlTopics } from '../control/kafka-control-io.js';
import { KafkaProducer } from '../kafka/producer.js';
import { KafkaReader, type PartitionRange, type ReceivedMessage } from '../kafka/reader.js';
import { ensureTopics } from '../kafka/topics.js';
import type { Logger } from '../observability/logger.js';
import { localMetrics, startMetricsServer, type MetricsServer } from '../observability/metrics.js';
import { decodeCommand, encode, MAX_COMMAND_BYTES, snippet } from '../protocol/codec.js';
import { droppedBufferCollector } from '../observability/memory.js';
import { validators } from '../protocol/validators.js';
import { eventKey, pongEvent, statusEvent, type ServiceContext } from '../protocol/events.js';
import { withTraceHeaders } from '../tracing/kafka-headers.js';
import type { TraceSpan, Tracing } from '../tracing/tracing.js';
import type { ServiceEvent } from '../protocol/types.js';
import { CommandProgress } from './command-progress.js';
import { createDummyMetrics, type DummyMetrics } from './metrics.js';
import { initialState, isAddressedTo, step, type DummyInput, type DummyState, type Effect } from './state-machine.js';

/** How long a commit of the command position may take before it is given up (and logged). */
const COMMIT_TIMEOUT_MS = 5000;

function describePosition(r: PartitionRange): Record<string, unknown> {
  return r.committed === undefined
    ? { partition: r.partition, offset: r.start, from: 'end (the group had no committed offset)' }
    : { partition: r.partition, offset: r.start, from: `the group's committed offset ${r.committed}` };
}

export interface DummyOptions {
  readonly context: ServiceContext;
  readonly conn: KafkaConnection;
  readonly topics: ControlTopics;
  readonly noop: boolean;
  /** the consumer group that keeps the command reader's place across lives */
  readonly groupId: string;
  readonly exitOnPing: boolean;
  readonly exitAfterMs: number | undefined;
  readonly failAfterMs: number | undefined;
  /** undefined: no simulated loading */
  readonly loadingIntervalMs: number | undefined;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly shutdownTimeoutMs: number;
}

export interface DummyDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** records written per loading tick; random by default, fixed in tests */
  readonly recordsPerTick?: () => number;
  /** OpenTelemetry, when on: a consumer span per command, a producer span for what answers it */
  readonly tracing?: Tracing;
}

export class DummyService {
  readonly #opts: DummyOptions;
  readonly #logger: Logger;
  readonly #registry: Registry;
  readonly #metrics: DummyMetrics;
  readonly #recordsPerTick: () => number;
  readonly #tracing: Tracing | undefined;
  /** the span of the command being handled: the events it causes are its children */
  #commandSpan: TraceSpan | undefined;
  #state: DummyState = initialState;
  #producer: KafkaProducer | undefined;
  #reader: KafkaReader | undefined;
  #server: MetricsServer | undefined;
  #readerReady = false;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #sends = new Set<Promise<unknown>>();
  readonly #progress = new CommandProgress();
  /** oversized garbage on the control topic: collected every 4 MB, not left to pile up */
  readonly #dropped = droppedBufferCollector();
  /** commands that arrived before `started` was sent: handled right after it, in order */
  #early: ReceivedMessage[] | undefined = [];
  /** commands whose events are not settled yet */
  readonly #handling = new Set<Promise<void>>();
  #committing: Promise<void> | undefined;
  #endedByCommand = false;
  /** the last commit ran and the reader is closing: later commands stay for the next life */
  #lastCommitDone = false;
  #pendingSignal: string | undefined;
  #terminalFailed = false;
  #finish: ((code: number) => void) | undefined;
  /** when the shutdown must be over (--shutdown-timeout after it began), and whether it is */
  #deadline: { passed: boolean; readonly timer: NodeJS.Timeout } | undefined;
  /** Kafka acknowledged `started`: only then is the service ready (a ping may be answered) */
  #startedDelivered = false;

  constructor(opts: DummyOptions, deps: DummyDeps) {
    this.#opts = opts;
    this.#logger = deps.logger;
    this.#registry = deps.registry;
    this.#metrics = createDummyMetrics(deps.registry);
    this.#recordsPerTick = deps.recordsPerTick ?? (() => 100 + Math.floor(Math.random() * 900));
    this.#tracing = deps.tracing;
  }

  /**
   * Runs until the terminal event is delivered, or until --shutdown-timeout has passed since the
   * shutdown began (whatever Kafka does meanwhile); resolves with the exit code.
   */
  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.#finish = resolve));
    return Promise.race([done, this.#live().then(() => done)]);
  }

  async #live(): Promise<void> {
    try {
      await this.#startUp();
    } catch (err) {
      // past the deadline the exit code is decided: a connect that failed meanwhile changes nothing
      if (this.#deadline?.passed) return;
      await this.#release();
      throw err;
    }
    if (this.#pendingSignal) this.#dispatch({ type: 'signal', signal: this.#pendingSignal });
    else this.#dispatch({ type: 'ready' });
    if (this.#state.phase === 'running') this.#startTimers();
    // Commands queued while the service was down come now: a queued stop ends this life at once.
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const msg of early) this.#handle(msg);
  }

  /** SIGTERM / SIGINT: `interrupted`, flush, exit 0. Safe to call at any time, more than once. */
  signal(name: string): void {
    this.#startDeadline();
    if (!this.#producer || this.#state.phase === 'starting') {
      this.#pendingSignal ??= name;
      return;
    }
    this.#dispatch({ type: 'signal', signal: name });
  }

  async #startUp(): Promise<void> {
    const { conn, topics, context } = this.#opts;
    validators();
    if (this.#opts.metricsPort > 0) {
      this.#server = await startMetricsServer({
        port: this.#opts.metricsPort,
        host: this.#opts.metricsHost,
        metrics: localMetrics(this.#registry),
        logger: this.#logger,
        setting: '--metrics-port / METRICS_PORT',
        probes: { live: () => true, ready: () => this.#readerReady && this.#startedDelivered && this.#state.phase === 'running' },
      });
    }
    const clientId = `streamforge-dummy-${context.queue_id}`;
    this.#producer = await KafkaProducer.connect(conn, {
      clientId,
      logger: this.#logger,
      profile: { kind: 'control', deliveryTimeoutMs: Math.max(conn.connectTimeoutMs, 5000) },
    });
    await ensureTopics(conn, this.#producer, [topics.control, topics.events], { clientId, logger: this.#logger });
    if (this.#pendingSignal) return;
    let positions: Array<Record<string, unknown>> = [];
    if (!this.#opts.noop) {
      const reader = await KafkaReader.openAtEnd(conn, {
        clientId: `${clientId}-control`,
        logger: this.#logger,
        topics: [topics.control],
        resumeGroup: this.#opts.groupId,
        // batches with a bound on memory: a control topic full of garbage must not grow the dummy
        profile: 'bounded-memory',
        onBatch: (msgs) => {
          for (const msg of msgs) this.#onCommand(msg);
        },
        onError: (err) => this.#dispatch({ type: 'fault', message: err.message }),
      });
      this.#reader = reader;
      for (const r of reader.ranges) this.#progress.start(r.topic, r.partition, r.start, r.committed);
      // A first life commits where it starts, so that a command sent after `started` reaches
      // the next life even if this one is killed before it handles anything.
      const first = this.#progress.uncommitted();
      await reader.commit(first, COMMIT_TIMEOUT_MS);
      this.#progress.committed(first);
      positions = reader.ranges.map(describePosition);
    }
    this.#readerReady = true;
    this.#logger.info('ready for commands', {
      control_topic: topics.control,
      events_topic: topics.events,
      noop: this.#opts.noop,
      ...(this.#opts.noop ? {} : { group_id: this.#opts.groupId, positions }),
    });
  }

  #startTimers(): void {
    const { exitAfterMs, failAfterMs, loadingIntervalMs } = this.#opts;
    if (exitAfterMs !== undefined)
      this.#timers.push(setTimeout(() => this.#dispatch({ type: 'exit-after', seconds: exitAfterMs / 1000 }), exitAfterMs));
    if (failAfterMs !== undefined)
      this.#timers.push(setTimeout(() => this.#dispatch({ type: 'fail-after', seconds: failAfterMs / 1000 }), failAfterMs));
    if (loadingIntervalMs !== undefined) {
      this.#timers.push(setInterval(() => this.#dispatch({ type: 'loading-tick', records: this.#recordsPerTick() }), loadingIntervalMs));
    }
  }

  #onCommand(msg: ReceivedMessage): void {
    if (this.#early) this.#early.push(msg);
    else this.#handle(msg);
  }

  #handle(msg: ReceivedMessage): void {
    if (this.#state.phase !== 'running') {
      // A life a command ended (a stop) has answered for its queue: commands queued behind the
      // stop (an operator's second stop) are void and committed, or the next life with this id
      // would stop at once. A life that ended otherwise (SIGTERM while a pod is rescheduled,
      // --exit-after, an error) leaves them uncommitted: they are for the next life.
      if (this.#endedByCommand) {
        this.#progress.skip(msg.topic, msg.partition, msg.offset);
        void this.#commitHandled();
      }
      return;
    }
    const decoded = decodeCommand(msg.value);
    if (!decoded.ok) {
      if ((msg.value?.length ?? 0) > MAX_COMMAND_BYTES) this.#dropped(msg.value?.length ?? 0);
      this.#progress.skip(msg.topic, msg.partition, msg.offset);
      void this.#commitHandled();
      this.#metrics.invalidCommand();
      this.#logger.warn('skipping an invalid command', {
        reason: decoded.reason,
        partition: msg.partition,
        offset: msg.offset,
        bytes: msg.value?.length ?? 0,
        value: snippet(msg.value),
      });
      return;
    }
    const command = decoded.value;
    const forUs = isAddressedTo(command, this.#opts.context.queue_id);
    this.#logger.log(forUs ? 'info' : 'debug', forUs ? 'command received' : 'command for another queue', {
      command: command.command,
      target: command.queue_id,
      command_id: command.command_id,
    });
    if (forUs && command.command === 'ping') this.#metrics.ping();
    const { topic, partition, offset } = msg;
    this.#progress.begin(topic, partition, offset);
    const span = this.#tracing?.consumerSpan(`process ${topic}`, msg.headers, {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.kafka.offset': offset,
      'streamforge.command': command.command,
      'streamforge.queue_id': this.#opts.context.queue_id,
      'streamforge.command_id': command.command_id,
      'streamforge.addressed_to_us': forUs,
    });
    const sends = span
      ? this.#inSpan(span, () => this.#dispatch({ type: 'command', command }))
      : this.#dispatch({ type: 'command', command });
    if (span) void Promise.allSettled(sends).then(() => span.end());
    if (this.#isDone()) this.#endedByCommand = true;
    // Handled once its pong or terminal event is settled; only then may the position pass it.
    const handled = Promise.allSettled(sends).then(() => {
      this.#progress.finish(topic, partition, offset);
      this.#handling.delete(handled);
      void this.#commitHandled();
    });
    this.#handling.add(handled);
  }

  /** Runs `fn` (synchronously) with the command's span as the parent of the sends it starts. */
  #inSpan<T>(span: TraceSpan, fn: () => T): T {
    this.#commandSpan = span;
    try {
      return fn();
    } finally {
      this.#commandSpan = undefined;
    }
  }

  /** A method, not a field test: TypeScript keeps a narrowed `#state.phase` across #dispatch. */
  #isDone(): boolean {
    return this.#state.phase === 'done';
  }

  /** Commits what is handled, one commit at a time; the loop picks up what finished meanwhile. */
  #commitHandled(): Promise<void> {
    const reader = this.#reader;
    if (!reader || this.#lastCommitDone) return Promise.resolve();
    if (this.#committing) return this.#committing;
    if (this.#progress.uncommitted().length === 0) return Promise.resolve();
    // Assigned before the loop can end: a loop that finished synchronously once left a settled
    // promise here for good, and no later command was ever committed.
    const loop = async (): Promise<void> => {
      for (let pending = this.#progress.uncommitted(); pending.length > 0; pending = this.#progress.uncommitted()) {
        await reader.commit(pending, COMMIT_TIMEOUT_MS);
        this.#progress.committed(pending);
        this.#logger.debug('command position committed', { group_id: this.#opts.groupId, positions: pending });
      }
    };
    const running = loop().then(
      () => {
        this.#committing = undefined;
      },
      (err: Error) => {
        this.#committing = undefined;
        this.#logger.warn('could not commit the command position: the next life may handle these commands again', {
          group_id: this.#opts.groupId,
          error: err.message,
        });
      },
    );
    this.#committing = running;
    return running;
  }

  /** Applies the machine's step; returns the sends it started, for those who wait on them. */
  #dispatch(input: DummyInput): Promise<unknown>[] {
    const next = step(this.#state, input, { queueId: this.#opts.context.queue_id, exitOnPing: this.#opts.exitOnPing });
    this.#state = next.state;
    const sends: Promise<unknown>[] = [];
    for (const effect of next.effects) {
      const sent = this.#apply(effect);
      if (sent) sends.push(sent);
    }
    return sends;
  }

  #apply(effect: Effect): Promise<unknown> | undefined {
    const now = Date.now();
    const ctx = this.#opts.context;
    switch (effect.type) {
      case 'status': {
        this.#metrics.status(effect.status);
        return this.#send(statusEvent(ctx, effect.status, effect.message, this.#state.recordsWritten, now, effect.errorMessage));
      }
      case 'pong':
        this.#metrics.pong();
        return this.#send(pongEvent(ctx, effect.command, now));
      case 'exit':
        void this.#shutDown(effect.code);
        return undefined;
    }
  }

  /** A producer span for an event a command caused (a pong, the terminal event of a stop); others are not traced. */
  #eventSpan(event: ServiceEvent): { span: TraceSpan; headers: Record<string, string> } | undefined {
    if (!this.#tracing || !this.#commandSpan) return undefined;
    return this.#tracing.producerSpan(
      `send ${this.#opts.topics.events}`,
      {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': this.#opts.topics.events,
        'streamforge.event': event.event,
        'streamforge.queue_id': this.#opts.context.queue_id,
      },
      this.#commandSpan,
    );
  }

  #send(event: ServiceEvent): Promise<unknown> | undefined {
    const producer = this.#producer;
    if (!producer) return undefined;
    this.#metrics.event(event.event);
    const fields = { event: event.event, ...(event.event === 'pong' ? { command_id: event.command_id } : { detail: event.message }) };
    const traced = this.#eventSpan(event);
    const p = producer
      .send({
        topic: this.#opts.topics.events,
        key: eventKey(event),
        value: encode(event),
        ...(traced ? { headers: withTraceHeaders(undefined, traced.headers) } : {}),
      })
      .then(
        (d) => {
          if (event.event === 'started') this.#startedDelivered = true;
          this.#logger.info('event sent', { ...fields, partition: d.partition, offset: d.offset });
          traced?.span.setAttributes({ 'messaging.destination.partition.id': String(d.partition), 'messaging.kafka.offset': d.offset });
          traced?.span.end();
        },
        (err: Error) => {
          if (event.event !== 'pong' && event.finished) this.#terminalFailed = true;
          this.#logger.error('event not delivered', { ...fields, error: err.message });
          traced?.span.end(err.message);
        },
      )
      .finally(() => this.#sends.delete(p));
    this.#sends.add(p);
    return p;
  }

  /**
   * --shutdown-timeout bounds a shutdown from its start (a signal, or the machine's exit) to the
   * exit, whatever Kafka does: with the broker gone, librdkafka's own timeouts (its connect, the
   * event's delivery) once held a SIGTERM 31 s, past Kubernetes' grace of 30.
   */
  #startDeadline(): void {
    if (this.#deadline) return;
    // not unref'd: it is what ends the process when nothing else will
    this.#deadline = { passed: false, timer: setTimeout(() => this.#giveUp(), this.#opts.shutdownTimeoutMs) };
  }

  #giveUp(): void {
    if (!this.#deadline) return;
    this.#deadline.passed = true;
    this.#logger.error('the shutdown did not finish within --shutdown-timeout: events not yet delivered are lost', {
      shutdown_timeout_ms: this.#opts.shutdownTimeoutMs,
      undelivered: this.#sends.size,
      status: this.#state.status,
    });
    this.#finish?.(1);
  }

  async #shutDown(code: number): Promise<void> {
    this.#startDeadline();
    for (const t of this.#timers) clearTimeout(t);
    this.#readerReady = false;
    await Promise.allSettled([...this.#sends]);
    // The command that ended this life (a stop) is committed before the reader closes, so the
    // next life does not stop again; a commit in flight is waited for, then one more runs.
    await Promise.allSettled([...this.#handling]);
    await this.#committing;
    await this.#commitHandled();
    this.#lastCommitDone = true;
    await this.#release();
    const exit = this.#terminalFailed ? 1 : code;
    if (this.#deadline?.passed) return;
    clearTimeout(this.#deadline?.timer);
    this.#logger.info('stopped', { status: this.#state.status, exit_code: exit });
    this.#finish?.(exit);
  }

  async #release(): Promise<void> {
    await this.#reader?.close().catch(() => undefined);
    await this.#producer?.close(this.#opts.shutdownTimeoutMs).catch((err: Error) => {
      this.#terminalFailed = true;
      this.#logger.error('flush failed', { error: err.message });
    });
    await this.#server?.close();
  }
}
