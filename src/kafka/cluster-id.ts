/**
 * The cluster's own id (what `kafka-cluster.sh cluster-id` prints, Strimzi's `status.clusterId`).
 * librdkafka reads it from every metadata answer but node-rdkafka binds no call that returns it
 * (rd_kafka_clusterid); librdkafka's metadata debug log names it. So a short-lived client with
 * `debug: metadata` connects, and the first answer's log line gives the id. Asked once per
 * process: the id of a cluster does not change.
 */
import Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { KafkaError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { connectionProps } from './client-props.js';
import { connectClient, disconnectWithin } from './connect.js';
import { buildClient } from './error-map.js';

/** librdkafka 2.x, rdkafka_metadata.c: "ClusterId: %.*s, ControllerId: %d" */
const CLUSTER_ID_LINE = /ClusterId: ([^,\s]+), ControllerId: (-?\d+)/;

export interface ClusterIdentity {
  readonly clusterId: string;
  /** broker id of the active controller as the first metadata answer named it; -1 when unknown */
  readonly controllerId: number;
}

/** Parses librdkafka's metadata log line; undefined for any other line. */
export function clusterIdentityFromLog(line: string): ClusterIdentity | undefined {
  const m = CLUSTER_ID_LINE.exec(line);
  return m ? { clusterId: m[1] as string, controllerId: Number(m[2]) } : undefined;
}

export async function fetchClusterIdentity(conn: KafkaConnection, clientId: string, logger: Logger): Promise<ClusterIdentity> {
  const client = buildClient(
    () => new Kafka.Producer({ ...connectionProps(conn, `${clientId}-cluster-id`), debug: 'metadata', event_cb: true, log_level: 7 }, {}),
  );
  let found: ClusterIdentity | undefined;
  client.on('event.log', (log: { message?: string }) => {
    found ??= clusterIdentityFromLog(log.message ?? '');
  });
  try {
    await connectClient(client, conn, logger, 'cluster-id');
    // the log events of the connect's metadata answer reach JavaScript asynchronously
    for (let i = 0; i < 50 && !found; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await disconnectWithin((done) => client.disconnect(done), 2000, logger, 'cluster-id');
  }
  if (!found) {
    throw new KafkaError(
      'SF_KAFKA',
      'unreachable',
      'the brokers answered without a cluster id',
      'a broker older than Kafka 0.10.1 has none; serve-producer needs 2.x or later',
    );
  }
  return found;
}
