/**
 * Connecting a librdkafka client with a deadline. librdkafka retries forever, which is right
 * for a broker that is still starting and wrong for a bad password: errors that retrying
 * cannot cure end the wait at once, the rest end it at the deadline with the last cause.
 *
 * The connection is tried in attempts of growing length (1 s, 2 s, 4 s ...) rather than one
 * long one, because a pending metadata request holds process exit until it times out: short
 * first attempts let a refused login exit in about a second, longer later ones let a slow TLS
 * handshake over a real network finish.
 */
import Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka-connection.js';
import type { Logger } from '../observability/logger.js';
import { isFatalAtConnect, mapConnectError, normaliseEventError, type RdkafkaErrorLike } from './error-map.js';

/** The part of a librdkafka client that connecting needs, common to producers and consumers. */
interface ConnectableClient {
  connect(opts: Kafka.MetadataOptions, cb: (err: Kafka.LibrdKafkaError | null) => void): unknown;
  getClient(): unknown;
  on(event: 'event.error', listener: (err: Kafka.LibrdKafkaError) => void): unknown;
  removeListener(event: 'event.error', listener: (err: Kafka.LibrdKafkaError) => void): unknown;
}

const { ERR__TIMED_OUT: TIMED_OUT, ERR__ALL_BROKERS_DOWN: ALL_BROKERS_DOWN } = Kafka.CODES.ERRORS;
const FIRST_ATTEMPT_MS = 1000;

export async function connectClient(client: ConnectableClient, conn: KafkaConnection, logger: Logger, what: string): Promise<void> {
  const timeoutMs = conn.connectTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  let lastError: RdkafkaErrorLike = { code: TIMED_OUT, message: 'no answer from any broker' };
  let fatal: ((err: RdkafkaErrorLike) => void) | undefined;

  const onError = (raw: RdkafkaErrorLike): void => {
    const err = normaliseEventError(raw);
    logger.debug('kafka client error while connecting', { client: what, code: err.code, error: err.message });
    // "all brokers down" follows every other failure; keep the cause that came before it.
    if (err.code !== ALL_BROKERS_DOWN || lastError.code === TIMED_OUT) lastError = err;
    if (isFatalAtConnect(err.code)) fatal?.(err);
  };
  // librdkafka reports a refused login only through its event queue, which nobody polls while
  // connect() waits for metadata: poll the native handle so that it surfaces at once.
  const poller = setInterval(() => {
    try {
      (client.getClient() as { poll?: () => void } | undefined)?.poll?.();
    } catch {
      // the handle does not exist yet, or no longer
    }
  }, 50);
  client.on('event.error', onError);

  try {
    for (let attemptMs = FIRST_ATTEMPT_MS; ; attemptMs *= 2) {
      const remaining = deadline - Date.now();
      const err = await new Promise<RdkafkaErrorLike | undefined>((resolve) => {
        fatal = resolve;
        client.connect({ timeout: Math.max(100, Math.min(attemptMs, remaining)) }, (e) => resolve(e ?? undefined));
      });
      if (!err) return;
      if (isFatalAtConnect(err.code)) throw mapConnectError(err, conn.brokers, timeoutMs);
      // librdkafka's generic timeout hides the cause it saw; prefer the last event error.
      if (err.code !== TIMED_OUT && lastError.code === TIMED_OUT) lastError = err;
      if (Date.now() >= deadline - 50) throw mapConnectError(lastError, conn.brokers, timeoutMs);
    }
  } finally {
    clearInterval(poller);
    client.removeListener('event.error', onError);
  }
}

/**
 * librdkafka's disconnect callback can fail to arrive (seen under heavy load): a command must
 * still end. Waits for it at most `ms`; the flush before it has already settled what matters.
 */
export function disconnectWithin(disconnect: (done: () => void) => void, ms: number, logger: Logger, what: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      logger.warn('kafka client did not disconnect in time; going on', { client: what, ms });
      resolve();
    }, ms);
    timer.unref();
    disconnect(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
