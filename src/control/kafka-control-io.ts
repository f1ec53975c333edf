/**
 * ControlIo over Kafka: commands out on the control topic (keyed by queue id, so one queue's
 * commands stay ordered), events in from the events topic, decoded and validated.
 */
import { performance } from 'node:perf_hooks';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { KafkaProducer } from '../kafka/producer.js';
import { KafkaReader } from '../kafka/reader.js';
import { ensureTopics } from '../kafka/topics.js';
import type { Logger } from '../observability/logger.js';
import { decodeEvent, encode, snippet } from '../protocol/codec.js';
import { validators } from '../protocol/validators.js';
import type { CommandRecord } from '../protocol/commands.js';
import type { ControlIo, Delivered } from './control-io.js';

export interface ControlTopics {
  readonly control: string;
  readonly events: string;
}

/** The producer of commands: ping, stop and watch's keys send with the same settings. */
export function connectCommandProducer(conn: KafkaConnection, logger: Logger, clientId: string): Promise<KafkaProducer> {
  return KafkaProducer.connect(conn, {
    clientId,
    logger,
    // a command not delivered within the connect timeout is reported, not retried forever
    profile: { kind: 'control', deliveryTimeoutMs: conn.connectTimeoutMs },
  });
}

/** One command on the control topic, under its record's key (protocol/commands.ts says which). */
export function sendCommand(
  producer: KafkaProducer,
  controlTopic: string,
  record: CommandRecord,
  headers?: Readonly<Record<string, string>>,
): Promise<Delivered> {
  return producer.send({
    topic: controlTopic,
    key: record.key,
    value: encode(record.command),
    // one header object per name: node-rdkafka's form; services that ignore headers read the value as before
    ...(headers ? { headers: Object.entries(headers).map(([k, v]) => ({ [k]: v })) } : {}),
  });
}

export async function openKafkaControlIo(
  conn: KafkaConnection,
  topics: ControlTopics,
  logger: Logger,
  clientId: string,
): Promise<ControlIo> {
  validators();
  const producer = await connectCommandProducer(conn, logger, clientId);
  let reader: KafkaReader | undefined;
  try {
    await ensureTopics(conn, producer, [topics.control, topics.events], { clientId, logger });
  } catch (err) {
    await producer.close(1000).catch(() => undefined);
    throw err;
  }

  return {
    async listen(onEvent) {
      reader = await KafkaReader.openAtEnd(conn, {
        clientId: `${clientId}-events`,
        logger,
        topics: [topics.events],
        onMessage: (msg) => {
          const arrival = performance.now();
          const decoded = decodeEvent(msg.value);
          if (!decoded.ok) {
            logger.debug('skipping an invalid event', {
              reason: decoded.reason,
              partition: msg.partition,
              offset: msg.offset,
              value: snippet(msg.value),
            });
            return;
          }
          onEvent(decoded.value, arrival);
        },
      });
    },
    send: (record, headers) => sendCommand(producer, topics.control, record, headers),
    async close() {
      await Promise.allSettled([reader?.close(), producer.close(5000)]);
    },
  };
}
