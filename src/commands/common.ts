/** The pieces every Kafka subcommand builds the same way from its resolved settings. */
import type { Writable } from 'node:stream';
import type { kafkaSettings, LogFormat, LogLevel } from '../config/common-settings.js';
import { connectionFrom, type KafkaConnection } from '../config/kafka-connection.js';
import type { Resolved } from '../config/resolve.js';
import type { Source } from '../config/setting.js';
import type { Logger } from '../observability/logger.js';

/** Imported here, not at the top: winston is heavy and `--help` must not pay for it. */
export async function loggerFrom(
  values: { debug?: boolean; logLevel?: LogLevel; logFormat?: LogFormat },
  stream: Writable,
  fields?: Record<string, unknown>,
): Promise<Logger> {
  const { createLogger } = await import('../observability/logger.js');
  return createLogger({
    level: values.debug ? 'debug' : (values.logLevel ?? 'info'),
    format: values.logFormat ?? 'json',
    stream,
    ...(fields ? { fields } : {}),
  });
}

type KafkaValues = Resolved<typeof kafkaSettings>['values'];

export function connectionOf(values: KafkaValues, sources: { readonly [K in keyof typeof kafkaSettings]: Source }): KafkaConnection {
  return connectionFrom({ values, sources });
}
