// serve-producer and autocannon for the benchmarks that load it (bench-producer.mjs,
// bench-produce-gateway.mjs): each in its own process, the server's peak memory sampled.
import { spawn, spawnSync } from 'node:child_process';
import { freePort, root, rssMb } from './bench-common.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);

// Asynchronous, so that the memory sampler keeps ticking while the load runs.
export function autocannon(args, seconds = DURATION) {
  return new Promise((resolve, reject) => {
    const child = spawn(`${root}/node_modules/.bin/autocannon`, ['-j', '-d', String(seconds), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon failed: ${err}`))));
  });
}

/** serve-producer in its own process(es), ready to take load; `stop()` waits until it is gone. */
export async function startProducer(bin, env, extra) {
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [bin, 'serve-producer', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn', '--batch-limit', '1000', ...extra],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const closed = new Promise((r) => server.on('close', r));
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 300) throw new Error('serve-producer did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  // with --workers, the memory of every process of the server
  const pids = () => [
    server.pid,
    ...spawnSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number),
  ];
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(
        peakRss,
        pids().reduce((sum, pid) => sum + rssMb(pid), 0),
      );
    } catch {
      // a process came or went between listing and reading
    }
  }, 200);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: server.pid,
    peakRss: () => peakRss,
    stop: async () => {
      clearInterval(sampler);
      server.kill('SIGTERM');
      await closed;
    },
  };
}
