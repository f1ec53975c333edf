// bench:producer's row (t): POST /produce with tracing on (OTEL_TRACES_EXPORTER=otlp, the
// always_on sampler, every span exported to a Jaeger of the benchmark's own) beside the same
// server with tracing off, in alternating rounds on one process each: the cost of a server span
// and a producer span per request, and the W3C header on each record. Target: >= 0.8x.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { autocannon, startProducer } from './bench-serve-producer.mjs';
import { log, root } from './bench-common.mjs';

const jaegerEnv = { ...process.env, JAEGER_LOCAL_DIR: `${root}/.jaeger/bench` };

function jaegerUp() {
  log('starting a Jaeger of its own (scripts/jaeger-local.sh; built once, minutes the first time)');
  execFileSync(`${root}/scripts/jaeger-local.sh`, ['up'], { env: jaegerEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  return parse(readFileSync(`${root}/.jaeger/bench/jaeger.env`, 'utf8'));
}

const jaegerDown = () => execFileSync(`${root}/scripts/jaeger-local.sh`, ['down'], { env: jaegerEnv, stdio: 'ignore' });

/** { ratio, on, off }: the median of the rounds' ratios of requests/s, tracing on / off. */
export async function tracingOverhead({ bin, env, topic, rounds, duration }) {
  const jaeger = jaegerUp();
  const traced = {
    ...env,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
  const body = JSON.stringify({ topic, key: 'user-123', message: { user_id: 123, action: 'login', data: 'x'.repeat(120) } });
  const runs = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const run = {};
      const order = round % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
      for (const name of order) {
        log(`(t) POST /produce, 64 connections, ${duration} s, tracing ${name} (round ${round} of ${rounds})`);
        const server = await startProducer(bin, name === 'on' ? traced : env, ['--workers', '1']);
        const args = ['-m', 'POST', '-H', 'content-type=application/json', '-c', '64', '-b', body, `${server.url}/produce`];
        await autocannon(args, 3);
        run[name] = await autocannon(args, duration);
        await server.stop();
        if (run[name].non2xx > 0) throw new Error(`tracing ${name}: ${run[name].non2xx} answers were not 2xx`);
      }
      runs.push(run);
    }
  } finally {
    jaegerDown();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratios = runs.map((r) => r.on.requests.average / r.off.requests.average);
  return {
    ratio: median(ratios),
    ratios,
    on: median(runs.map((r) => r.on.requests.average)),
    off: median(runs.map((r) => r.off.requests.average)),
  };
}
