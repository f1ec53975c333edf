/**
 * The dummy service: the state machine wired to Kafka, timers and the metrics endpoint.
 * Start-up order is the protocol's: producer, topics, command reader positioned at the end,
 * and only then `started`, so a ping sent after `started` is seen always gets its pong.
 */
import type { Registry } from 'prom-client';
import { lowLatencyProps, type KafkaConnection } from '../config/kafka-connection.js';
import type { ControlTopics } from '../control/kafka-control-io.js';
import { KafkaProducer } from '../kafka/producer.js';
import { KafkaReader, type ReceivedMessage } from '../kafka/reader.js';
import { ensureTopics } from '../kafka/topics.js';
import type { Logger } from '../observability/logger.js';
import { localMetrics, startMetricsServer, type MetricsServer } from '../observability/metrics.js';
import { decodeCommand, encode, snippet } from '../protocol/codec.js';
import { validators } from '../protocol/validators.js';
import { pongEvent, statusEvent, type ServiceContext } from '../protocol/events.js';
import type { ServiceEvent } from '../protocol/types.js';
import { createDummyMetrics, type DummyMetrics } from './metrics.js';
import { initialState, isAddressedTo, step, type DummyInput, type DummyState, type Effect } from './state-machine.js';

export interface DummyOptions {
  readonly context: ServiceContext;
  readonly conn: KafkaConnection;
  readonly topics: ControlTopics;
  readonly noop: boolean;
  readonly exitOnPing: boolean;
  readonly exitAfterS: number | undefined;
  readonly failAfterS: number | undefined;
  /** undefined: no simulated loading */
  readonly loadingIntervalS: number | undefined;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly shutdownTimeoutMs: number;
}

export interface DummyDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** records written per loading tick; random by default, fixed in tests */
  readonly recordsPerTick?: () => number;
}

export class DummyService {
  readonly #opts: DummyOptions;
  readonly #logger: Logger;
  readonly #registry: Registry;
  readonly #metrics: DummyMetrics;
  readonly #recordsPerTick: () => number;
  #state: DummyState = initialState;
  #producer: KafkaProducer | undefined;
  #reader: KafkaReader | undefined;
  #server: MetricsServer | undefined;
  #readerReady = false;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #sends = new Set<Promise<unknown>>();
  #pendingSignal: string | undefined;
  #terminalFailed = false;
  #finish: ((code: number) => void) | undefined;

  constructor(opts: DummyOptions, deps: DummyDeps) {
    this.#opts = opts;
    this.#logger = deps.logger;
    this.#registry = deps.registry;
    this.#metrics = createDummyMetrics(deps.registry);
    this.#recordsPerTick = deps.recordsPerTick ?? (() => 100 + Math.floor(Math.random() * 900));
  }

  /** Runs until the terminal event is delivered; resolves with the exit code. */
  async run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.#finish = resolve));
    try {
      await this.#startUp();
    } catch (err) {
      await this.#release();
      throw err;
    }
    if (this.#pendingSignal) this.#dispatch({ type: 'signal', signal: this.#pendingSignal });
    else this.#dispatch({ type: 'ready' });
    if (this.#state.phase === 'running') this.#startTimers();
    return done;
  }

  /** SIGTERM / SIGINT: `interrupted`, flush, exit 0. Safe to call at any time, more than once. */
  signal(name: string): void {
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
        probes: { live: () => true, ready: () => this.#readerReady && this.#state.phase === 'running' },
      });
    }
    const clientId = `streamforge-dummy-${context.queue_id}`;
    this.#producer = await KafkaProducer.connect(conn, {
      clientId,
      logger: this.#logger,
      props: { ...lowLatencyProps, 'enable.idempotence': true, 'message.timeout.ms': Math.max(conn.connectTimeoutMs, 5000) },
      pollIntervalMs: 5,
      deliveryDeadlineMs: Math.max(conn.connectTimeoutMs, 5000) + 1000,
    });
    await ensureTopics(conn, this.#producer, [topics.control, topics.events], { clientId, logger: this.#logger });
    if (this.#pendingSignal) return;
    if (!this.#opts.noop) {
      this.#reader = await KafkaReader.openAtEnd(conn, {
        clientId: `${clientId}-control`,
        logger: this.#logger,
        topics: [topics.control],
        onMessage: (msg) => this.#onCommand(msg),
        onError: (err) => this.#dispatch({ type: 'fault', message: err.message }),
      });
    }
    this.#readerReady = true;
    this.#logger.info('ready for commands', { control_topic: topics.control, events_topic: topics.events, noop: this.#opts.noop });
  }

  #startTimers(): void {
    const { exitAfterS, failAfterS, loadingIntervalS } = this.#opts;
    if (exitAfterS !== undefined)
      this.#timers.push(setTimeout(() => this.#dispatch({ type: 'exit-after', seconds: exitAfterS }), exitAfterS * 1000));
    if (failAfterS !== undefined)
      this.#timers.push(setTimeout(() => this.#dispatch({ type: 'fail-after', seconds: failAfterS }), failAfterS * 1000));
    if (loadingIntervalS !== undefined) {
      this.#timers.push(
        setInterval(() => this.#dispatch({ type: 'loading-tick', records: this.#recordsPerTick() }), loadingIntervalS * 1000),
      );
    }
  }

  #onCommand(msg: ReceivedMessage): void {
    const decoded = decodeCommand(msg.value);
    if (!decoded.ok) {
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
    this.#dispatch({ type: 'command', command });
  }

  #dispatch(input: DummyInput): void {
    const next = step(this.#state, input, { queueId: this.#opts.context.queue_id, exitOnPing: this.#opts.exitOnPing });
    this.#state = next.state;
    for (const effect of next.effects) this.#apply(effect);
  }

  #apply(effect: Effect): void {
    const now = Date.now();
    const ctx = this.#opts.context;
    switch (effect.type) {
      case 'status': {
        this.#metrics.status(effect.status);
        this.#send(statusEvent(ctx, effect.status, effect.message, this.#state.recordsWritten, now, effect.errorMessage));
        return;
      }
      case 'pong':
        this.#metrics.pong();
        this.#send(pongEvent(ctx, effect.command, now));
        return;
      case 'exit':
        void this.#shutDown(effect.code);
        return;
    }
  }

  #send(event: ServiceEvent): void {
    const producer = this.#producer;
    if (!producer) return;
    this.#metrics.event(event.event);
    const fields = { event: event.event, ...(event.event === 'pong' ? { command_id: event.command_id } : { detail: event.message }) };
    const p = producer
      .send({ topic: this.#opts.topics.events, key: event.queue_id, value: encode(event) })
      .then(
        (d) => this.#logger.info('event sent', { ...fields, partition: d.partition, offset: d.offset }),
        (err: Error) => {
          if (event.event !== 'pong' && event.finished) this.#terminalFailed = true;
          this.#logger.error('event not delivered', { ...fields, error: err.message });
        },
      )
      .finally(() => this.#sends.delete(p));
    this.#sends.add(p);
  }

  async #shutDown(code: number): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#readerReady = false;
    await Promise.allSettled([...this.#sends]);
    await this.#release();
    const exit = this.#terminalFailed ? 1 : code;
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
