/**
 * --partitioner against Kafka's own Java producer code: the kafka-clients jar's
 * BuiltInPartitioner (murmur2, what Java clients, the Strimzi Bridge and the Confluent REST
 * Proxy use) says where each key goes; serve-producer with murmur2_random must put every key
 * there, and with librdkafka's default (CRC32) it does not.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, expect, it, jest } from '@jest/globals';
import { projectRoot, requireBroker } from '../support/broker.js';
import { postJson, startProducerServer, type RunningServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';

jest.setTimeout(90_000);
const broker = requireBroker('plaintext');
const servers: RunningServer[] = [];
afterAll(() => {
  for (const s of servers) s.process.kill('SIGKILL');
});

const keys = ['order-42', ...Array.from({ length: 59 }, (_, i) => `customer-${i * 7919}`)];

/** key -> partition, as Kafka's Java producer places it among `partitions` */
function javaPlacement(partitions: number): Map<string, number> {
  const out = execFileSync(
    'java',
    ['-cp', `${projectRoot}/.kafka/libs/*`, `${projectRoot}/test/support/java/KafkaKeyPartition.java`, String(partitions), ...keys],
    { encoding: 'utf8' },
  );
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => {
        const [key, p] = l.split(' ');
        return [key ?? '', Number(p)] as const;
      }),
  );
}

async function placement(partitioner: string[], topic: string): Promise<Map<string, number>> {
  const s = await startProducerServer(['--no-enrich', ...partitioner], { ...broker });
  servers.push(s);
  const out = new Map<string, number>();
  for (const key of keys) {
    const r = await postJson(`${s.url}/produce`, { topic, key, message: { key } });
    expect(r.status).toBe(200);
    out.set(key, r.body.partition as number);
  }
  return out;
}

it("murmur2_random places every key where Kafka's Java producer does; the default (CRC32) does not", async () => {
  const java = javaPlacement(3);
  expect(java.get('order-42')).toBe(0);
  const topic = `partitioner-${Date.now()}`;
  await createTopic(broker, topic, 3);

  const murmur = await placement(['--partitioner', 'murmur2_random'], topic);
  expect([...murmur]).toEqual([...java]);

  const crc = await placement([], topic);
  expect(crc.get('order-42')).toBe(1);
  const moved = keys.filter((k) => crc.get(k) !== java.get(k));
  // about two keys in three land elsewhere with CRC32: the reason to choose murmur2_random
  expect(moved.length).toBeGreaterThan(keys.length / 3);
});

it('an unknown partitioner is exit 2, naming the choices', async () => {
  const { runCli } = await import('../support/cli-process.js');
  const r = await runCli(['serve-producer', '--partitioner', 'crc32'], { ...broker });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--partitioner.*must be one of consistent_random, murmur2_random/);
});
