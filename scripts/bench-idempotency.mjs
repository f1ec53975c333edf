// bench:producer's rows (i) and (i'): POST /produce and /produce/batch (100 records) with an
// Idempotency-Key on every request (a new one each: autocannon's [<id>]), beside the same server
// without, in alternating rounds on one process each. A keyed request claims its key in Kafka,
// waits for the claim to be read back, and commits its records with its answer in a transaction
// shared with the requests beside it. Targets: >= 0.7x (batches) and >= 0.5x (single), the
// latter restated to >= 0.2x on 2 cores (docs/benchmarks.md, "Idempotency-Key").
// And (m): the memory every replica's key table takes for 1,000,000 live keys.
import { execFileSync } from 'node:child_process';
import autocannonRun from 'autocannon';
import { startProducer } from './bench-serve-producer.mjs';
import { cpuSeconds, log, root } from './bench-common.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One round of one shape: keyed and not, in the order given; requests/s and the server's CPU per request. */
async function round({ bin, env, url, body, order, duration, prefix }) {
  const run = {};
  for (const keyed of order) {
    const server = await startProducer(bin, env, ['--workers', '1', '--no-enrich', '--idempotency-topic', prefix]);
    // both through autocannon's API, the same runner: its command line reads [<id>] as a sub-argument
    const load = (seconds) =>
      autocannonRun({
        url: `${server.url}${url}`,
        method: 'POST',
        connections: 64,
        duration: seconds,
        body,
        headers: { 'content-type': 'application/json', ...(keyed ? { 'idempotency-key': '[<id>]' } : {}) },
        idReplacement: keyed,
      });
    // warm, and for a keyed server its first keyed request starts the idempotency topics' reader
    await load(3);
    const cpu0 = cpuSeconds(server.pid);
    const result = await load(duration);
    result.cpuUs = ((cpuSeconds(server.pid) - cpu0) * 1e6) / result.requests.total;
    await server.stop();
    if (result.non2xx > 0) throw new Error(`${url}${keyed ? ' keyed' : ''}: ${result.non2xx} answers were not 2xx`);
    run[keyed ? 'keyed' : 'plain'] = result;
  }
  return run;
}

/** The medians of the rounds for /produce and for batches of 100. */
export async function idempotencyOverhead({ bin, env, topic, rounds, duration }) {
  const one = JSON.stringify({ topic, key: 'user-123', message: { user_id: 123, action: 'login', data: 'x'.repeat(120) } });
  const batch = JSON.stringify(
    Array.from({ length: 100 }, (_, i) => ({ topic, key: `user-${i}`, message: { n: i, data: 'x'.repeat(120) } })),
  );
  const shapes = { single: { url: '/produce', body: one }, batch: { url: '/produce/batch', body: batch } };
  const out = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const runs = [];
    for (let r = 1; r <= rounds; r++) {
      log(`(i) POST ${shape.url}, 64 connections, ${duration} s, with and without Idempotency-Key (round ${r} of ${rounds})`);
      const order = r % 2 === 1 ? [false, true] : [true, false];
      runs.push(await round({ bin, env, ...shape, order, duration, prefix: `bench-idem-${process.pid}` }));
    }
    const ratios = runs.map((run) => run.keyed.requests.average / run.plain.requests.average);
    out[name] = {
      ratio: median(ratios),
      ratios,
      keyed: median(runs.map((run) => run.keyed.requests.average)),
      plain: median(runs.map((run) => run.plain.requests.average)),
      p99Keyed: median(runs.map((run) => run.keyed.latency.p99)),
      p99Plain: median(runs.map((run) => run.plain.latency.p99)),
      cpuUsKeyed: median(runs.map((run) => run.keyed.cpuUs)),
      cpuUsPlain: median(runs.map((run) => run.plain.cpuUs)),
    };
  }
  return out;
}

/** (m): a key table of 1,000,000 keys, each with a /produce answer, in a process of its own. */
export function keyTableMemory() {
  return JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', `${root}/scripts/bench-key-table.mjs`, '1000000'], { encoding: 'utf8' }),
  );
}
