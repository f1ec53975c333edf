#!/usr/bin/env node
// Creates topics on the local broker, leaving any that exist as they are:
//   node scripts/kafka-topics.mjs <bootstrap> <topic>[:<partitions>] ...   (3 partitions by default)
// scripts/kafka-local.sh runs it after `up` for the topics the defaults and the README's examples
// name, and `scripts/kafka-local.sh topic NAME [PARTITIONS]` for one more (the local broker
// creates none by itself: auto-creation is off, as on a Strimzi cluster).
import Kafka from 'node-rdkafka';

const [bootstrap, ...specs] = process.argv.slice(2);
if (!bootstrap || specs.length === 0) {
  process.stderr.write('usage: kafka-topics.mjs <bootstrap> <topic>[:<partitions>] ...\n');
  process.exit(2);
}
const ALREADY_EXISTS = Kafka.CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS;
const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap, 'client.id': 'kafka-local-topics' });
let failed = false;
for (const spec of specs) {
  const [topic, partitions = '3'] = spec.split(':');
  const err = await new Promise((resolve) =>
    admin.createTopic({ topic, num_partitions: Number(partitions), replication_factor: 1 }, 10_000, resolve),
  );
  if (!err) process.stderr.write(`kafka-local: created topic ${topic} (${partitions} partitions)\n`);
  else if (err.code !== ALREADY_EXISTS) {
    process.stderr.write(`kafka-local: could not create topic ${topic}: ${err.message}\n`);
    failed = true;
  }
}
admin.disconnect();
process.exitCode = failed ? 1 : 0;
