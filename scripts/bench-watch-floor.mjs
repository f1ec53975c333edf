#!/usr/bin/env node
// The floor of bench:watch: the consume loop anyone would write with node-rdkafka for
// `watch --json --from-beginning --exit-at-end`, and nothing else: librdkafka's defaults plus
// partition EOF, consume(5000), one line per record with the payload as it came, one write per
// batch, waiting when stdout pushes back; it exits when every partition reached the end it had
// at the start. Each payload is parsed, as the least a loop must do to write the same lines
// (a record that is not JSON gets its text and a warning), and nothing more: no schema, no
// filter. BENCH_FLOOR_PARSE=0 leaves the parse out too: what node-rdkafka alone costs.
//   node scripts/bench-watch-floor.mjs <brokers> <topic>
import Kafka from 'node-rdkafka';

const [brokers, topic] = process.argv.slice(2);
const PARSE = process.env.BENCH_FLOOR_PARSE !== '0';
const call = (f) => new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

const consumer = new Kafka.KafkaConsumer(
  { 'bootstrap.servers': brokers, 'group.id': `bench-floor-${process.pid}`, 'enable.auto.commit': false, 'enable.partition.eof': true },
  { 'auto.offset.reset': 'earliest' },
);
await call((cb) => consumer.connect({}, cb));
const metadata = await call((cb) => consumer.getMetadata({ topic, timeout: 10_000 }, cb));
const partitions = metadata.topics.find((t) => t.name === topic).partitions.map((p) => p.id);
const ends = new Map();
for (const p of partitions) ends.set(p, (await call((cb) => consumer.queryWatermarkOffsets(topic, p, 10_000, cb))).highOffset);
const next = new Map(partitions.map((p) => [p, 0]));
const done = () => partitions.every((p) => next.get(p) >= ends.get(p));
consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
consumer.setDefaultConsumeTimeout(100);

const loop = () => {
  if (done()) return consumer.disconnect(() => process.exit(0));
  consumer.consume(5000, (err, msgs) => {
    if (err) throw err;
    let text = '';
    for (const m of msgs) {
      const key = m.key ? JSON.stringify(m.key.toString()) : 'null';
      const value = m.value.toString();
      let payload = value;
      if (PARSE) {
        try {
          JSON.parse(value);
        } catch (err) {
          payload = `${JSON.stringify(value)},"warning":${JSON.stringify(`not JSON: ${err.message}`)}`;
        }
      }
      text += `{"topic":${JSON.stringify(m.topic)},"partition":${m.partition},"offset":${m.offset},"ts":${m.timestamp},"key":${key},"payload":${payload}}\n`;
      next.set(m.partition, m.offset + 1);
    }
    if (text && !process.stdout.write(text)) process.stdout.once('drain', loop);
    else setImmediate(loop);
  });
};
loop();
