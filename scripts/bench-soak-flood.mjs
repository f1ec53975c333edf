#!/usr/bin/env node
// bench:soak's ?async=true flood in a process of its own, so that the well-behaved clients'
// latencies are not the flood's own event loop: 16 loops of v2 bodies of 1,000 records, each on
// its own connection, until SIGTERM; then prints {"204": n, "429": n, ...} on stdout.
// Usage: bench-soak-flood.mjs PORT TOPIC
import { Agent, request } from 'node:http';

const [port, topic] = [Number(process.argv[2]), process.argv[3]];
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const body = Buffer.from(JSON.stringify({ records: Array.from({ length: 1000 }, () => ({ value: 0 })) }));
const statuses = {};
let running = true;
process.on('SIGTERM', () => (running = false));

const post = () =>
  new Promise((settle) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: `/topics/${topic}?async=true`,
        method: 'POST',
        headers: { 'content-type': 'application/vnd.kafka.json.v2+json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => settle(res.statusCode));
      },
    );
    req.on('error', () => settle('error'));
    req.end(body);
  });

await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (running) {
      const status = await post();
      statuses[status] = (statuses[status] ?? 0) + 1;
      // refused (429, or 404 for the floor's topic): a moment before the next, as a client backing off
      if (status !== 204) await new Promise((r) => setTimeout(r, 10));
    }
  }),
);
agent.destroy();
process.stdout.write(`${JSON.stringify(statuses)}\n`);
