#!/usr/bin/env node
// The ceiling for serve-producer: the same messages produced with node-rdkafka directly, in one
// process, with the server's producer settings. Prints {"messages", "seconds", "per_second",
// "cpu_us_per_message"}. With `no-reports` as the fifth argument, librdkafka sends no delivery
// report (a flush waits for the end): what node-rdkafka's one JavaScript callback per record
// costs, and what a bulk report would leave.
import Kafka from 'node-rdkafka';

const [brokers, topic, count = '200000', size = '200', mode = 'reports'] = process.argv.slice(2);
const reports = mode !== 'no-reports';
const value = Buffer.from(JSON.stringify({ pad: 'x'.repeat(Math.max(0, Number(size) - 10)) }).slice(0, Number(size)));
const producer = new Kafka.Producer({
  'bootstrap.servers': brokers,
  dr_cb: reports,
  acks: 'all',
  'enable.idempotence': true,
  'compression.codec': 'snappy',
  'batch.num.messages': 10000,
  'socket.nagle.disable': true,
  'queue.buffering.max.messages': 500000,
});
await new Promise((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
producer.setPollInterval(5);
const total = Number(count);
let acked = 0;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const done = reports
  ? new Promise((resolve) =>
      producer.on('delivery-report', (err) => {
        if (err) throw err;
        if (++acked === total) resolve();
      }),
    )
  : undefined;
for (let i = 0; i < total; i++) {
  for (;;) {
    try {
      producer.produce(topic, null, value, `k${i % 1000}`, Date.now());
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 1)); // queue full: let deliveries drain
    }
  }
}
await (done ?? new Promise((resolve, reject) => producer.flush(120_000, (err) => (err ? reject(err) : resolve()))));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ messages: total, seconds, per_second: total / seconds, cpu_us_per_message: (cpu.user + cpu.system) / total }));
producer.disconnect(() => process.exit(0));
