/** Topics for a test, created through Kafka's admin API (the server under test never creates any). */
import Kafka from 'node-rdkafka';
import type { BrokerEnv } from './broker.js';

export async function createTopic(env: BrokerEnv, topic: string, partitions = 3, config: Record<string, string> = {}): Promise<void> {
  const admin = Kafka.AdminClient.create({
    'bootstrap.servers': env.KAFKA_BOOTSTRAP_SERVERS ?? 'localhost:9092',
    'security.protocol': 'plaintext',
  });
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createTopic({ topic, num_partitions: partitions, replication_factor: -1, config }, 15_000, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  } finally {
    admin.disconnect();
  }
}
