/** The pieces every Kafka subcommand builds the same way from its resolved settings. */
import type { Writable } from 'node:stream';
import type { kafkaSettings, LogFormat, LogLevel, logSettings, topicSettings } from '../config/common-settings.js';
import { traceConfigOf, type tracingSettings } from '../tracing/tracing-settings.js';
import { connectionFrom, type KafkaConnection } from '../config/kafka-connection.js';
import type { Resolved } from '../config/resolve.js';
import type { ControlIo } from '../control/control-io.js';
import { ConfigError } from '../errors.js';
import type { RunContext } from './command-spec.js';
import type { Source } from '../config/setting.js';
import type { Logger } from '../observability/logger.js';

/** Imported here, not at the top: winston is heavy and `--help` must not pay for it. */
export async function loggerFrom(
  values: { debug: boolean; logLevel: LogLevel; logFormat: LogFormat },
  stream: Writable,
  fields?: Record<string, unknown>,
): Promise<Logger> {
  const { createLogger } = await import('../observability/logger.js');
  return createLogger({
    level: values.debug ? 'debug' : values.logLevel,
    format: values.logFormat,
    stream,
    ...(fields ? { fields } : {}),
  });
}

type KafkaValues = Resolved<typeof kafkaSettings>['values'];

export function connectionOf(values: KafkaValues, sources: { readonly [K in keyof typeof kafkaSettings]: Source }): KafkaConnection {
  return connectionFrom({ values, sources });
}

type ControlSettings = typeof kafkaSettings & typeof topicSettings & typeof logSettings & typeof tracingSettings;

export interface ControlSession {
  readonly target: string;
  readonly io: ControlIo;
  readonly logger: Logger;
  /** one line of the command's output on stdout */
  readonly write: (line: string) => void;
}

/** What ping and stop share: a target, a logger on stderr (stdout carries results), Kafka. */
export async function openControlSession(
  verb: 'ping' | 'stop',
  v: Resolved<ControlSettings>['values'] & { queueId?: string },
  sources: Resolved<ControlSettings>['sources'],
  ctx: RunContext,
): Promise<ControlSession> {
  const logger = await loggerFrom(v, ctx.stderr);
  if (!v.queueId) {
    throw new ConfigError(`no queue to ${verb}: --queue-id is required`, 'pass --queue-id <id>, "*" for every queue, or set QUEUE_ID');
  }
  const conn = connectionOf(v, sources);
  const { openKafkaControlIo } = await import('../control/kafka-control-io.js');
  const { startTracing } = await import('../tracing/tracing.js');
  const tracing = await startTracing(traceConfigOf(v, verb, ctx.version), logger);
  const io = await openKafkaControlIo(conn, { control: v.controlTopic, events: v.eventsTopic }, logger, `streamforge-${verb}`);
  if (!tracing) return { target: v.queueId, io, logger, write: (line) => void ctx.stdout.write(`${line}\n`) };
  const { tracedControlIo } = await import('../control/traced-control-io.js');
  const traced = tracedControlIo(io, tracing, v.controlTopic);
  // the commands' spans are exported before the command exits
  const close = async () => {
    await traced.close();
    await tracing.shutdown();
  };
  return { target: v.queueId, io: { ...traced, close }, logger, write: (line) => void ctx.stdout.write(`${line}\n`) };
}
