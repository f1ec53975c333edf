/**
 * Connecting a librdkafka client with a deadline. librdkafka retries forever, which is right
 * for a broker that is still starting and wrong for a bad password: errors that retrying
 * cannot cure end the wait at once, the rest end it at the deadline with the last cause.
 */
import type Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka-connection.js';
import type { Logger } from '../observability/logger.js';
import { isFatalAtConnect, mapConnectError, type RdkafkaErrorLike } from './error-map.js';

/** The part of a librdkafka client that connecting needs, common to producers and consumers. */
interface ConnectableClient {
  connect(opts: Kafka.MetadataOptions, cb: (err: Kafka.LibrdKafkaError | null) => void): unknown;
  isConnected(): boolean;
  disconnect(cb: () => void): unknown;
  on(event: 'event.error', listener: (err: Kafka.LibrdKafkaError) => void): unknown;
  removeListener(event: 'event.error', listener: (err: Kafka.LibrdKafkaError) => void): unknown;
}

export async function connectClient(
  client: ConnectableClient,
  conn: KafkaConnection,
  logger: Logger,
  what: string,
): Promise<void> {
  const timeoutMs = conn.connectTimeoutMs;
  let lastError: RdkafkaErrorLike = { code: -185, message: 'no answer from any broker' };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: RdkafkaErrorLike): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener('event.error', onError);
      if (!err) return resolve();
      // A half-connected client keeps librdkafka threads alive: let it go before failing.
      if (client.isConnected()) client.disconnect(() => undefined);
      reject(mapConnectError(err, conn.brokers, timeoutMs));
    };
    const onError = (err: RdkafkaErrorLike): void => {
      lastError = err;
      logger.debug('kafka client error while connecting', { client: what, code: err.code, error: err.message });
      if (isFatalAtConnect(err.code)) finish(err);
    };
    const timer = setTimeout(() => finish(lastError), timeoutMs + 1000);
    client.on('event.error', onError);
    client.connect({ timeout: timeoutMs }, (err) => {
      if (err) {
        // librdkafka's generic timeout hides the cause it saw; prefer the last event error.
        finish(lastError.code !== -185 && err.code === -185 ? lastError : err);
      } else finish();
    });
  });
}
