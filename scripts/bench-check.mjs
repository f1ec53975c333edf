#!/usr/bin/env node
// npm run bench:check (make bench-check) — a short run of every benchmark, each judged by its
// ratios to the yardsticks it measures in the same run (higher is better: a speed over the
// yardstick's, the yardstick's time or memory over ours), against the last accepted ratios in
// scripts/bench-baselines.json. A ratio more than 25% below its baseline fails. One line per ratio:
// the ratio now, the baseline, PASS or FAIL. Not part of .ci/run: CI machines are busy, and
// speed is no test's verdict; run it before a change to src/ that could cost speed.
//
//   node scripts/bench-check.mjs               every benchmark
//   node scripts/bench-check.mjs watch ping    some of them
//   node scripts/bench-check.mjs --update      take this run's ratios as the new baselines
//                                              (a change that makes something faster does so
//                                              in the same commit)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerDown, brokerUp, log, root } from './bench-common.mjs';

/** Each benchmark's short form: its script and the settings that keep it under a minute. */
const BENCHMARKS = {
  ping: { script: 'bench-ping.mjs', env: { BENCH_PINGS: '300' } },
  producer: { script: 'bench-producer.mjs', env: { BENCH_QUICK: '1', BENCH_DURATION: '3', BENCH_MESSAGES: '100000' } },
  produce: { script: 'bench-produce-gateway.mjs', env: { BENCH_DURATION: '2', BENCH_ROUNDS: '3' } },
  watch: { script: 'bench-watch.mjs', env: { BENCH_EVENTS: '300000', BENCH_SECONDS: '0', BENCH_ROUNDS: '3' } },
  startup: { script: 'bench-startup.mjs', env: { BENCH_QUICK: '1', BENCH_STARTS: '5' } },
  'dummy-garbage': { script: 'bench-dummy-garbage.mjs', env: { BENCH_GARBAGE: '2000' } },
  monitor: { script: 'bench-monitor.mjs', env: { BENCH_QUEUES: '300', BENCH_SECONDS: '35' } },
  soak: { script: 'bench-soak.mjs', env: { SOAK_SECONDS: '30' } },
  binary: { script: 'bench-binary.mjs', env: { BENCH_RUNS: '11' } },
};
/** how far below its baseline a ratio may fall before it fails */
const TOLERANCE = 0.25;
const baselinesFile = join(root, 'scripts', 'bench-baselines.json');

const args = process.argv.slice(2);
const update = args.includes('--update');
const chosen = args.filter((a) => !a.startsWith('--'));
for (const name of chosen)
  if (!(name in BENCHMARKS)) throw new Error(`no benchmark "${name}"; there are: ${Object.keys(BENCHMARKS).join(', ')}`);
const names = chosen.length > 0 ? chosen : Object.keys(BENCHMARKS);

const baselines = JSON.parse(readFileSync(baselinesFile, 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
const startedBroker = brokerUp();
const lines = [];
let failed = 0;
const measured = {};
try {
  for (const name of names) {
    const { script, env } = BENCHMARKS[name];
    const results = join(dir, `${name}.jsonl`);
    writeFileSync(results, '');
    const t0 = Date.now();
    log(
      `${name} (${script}, ${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')})`,
    );
    const run = spawnSync(process.execPath, [join(root, 'scripts', script)], {
      env: { ...process.env, ...env, BENCH_RESULTS: results },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const seconds = (Date.now() - t0) / 1000;
    const ratios = readFileSync(results, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    if (run.status !== 0 && ratios.length === 0) {
      failed++;
      lines.push(`FAIL  ${name}: the benchmark exited with ${run.status ?? run.signal} and measured nothing (${seconds.toFixed(0)} s)`);
      continue;
    }
    for (const { name: ratioName, ratio, detail } of ratios) {
      const key = `${name}: ${ratioName}`;
      measured[key] = ratio;
      const base = baselines[key]?.ratio;
      const pass = base === undefined ? undefined : ratio >= base * (1 - TOLERANCE);
      if (pass === false) failed++;
      const verdict = pass === undefined ? 'NEW ' : pass ? 'PASS' : 'FAIL';
      const against = base === undefined ? 'no baseline yet' : `baseline ${base.toFixed(2)}`;
      lines.push(`${verdict}  ${key}: ${ratio.toFixed(2)} (${against}; ${detail}; ${seconds.toFixed(0)} s)`);
    }
    // a baseline this run should have measured and did not: the benchmark lost a ratio
    for (const key of Object.keys(baselines).filter((k) => k.startsWith(`${name}: `) && !(k in measured))) {
      failed++;
      lines.push(`FAIL  ${key}: not measured in this run`);
    }
  }
} finally {
  brokerDown(startedBroker);
  rmSync(dir, { recursive: true, force: true });
}
console.log(lines.join('\n'));
if (update) {
  const date = new Date().toISOString().slice(0, 10);
  const next = { ...baselines };
  for (const [key, ratio] of Object.entries(measured)) next[key] = { ratio, measured: date };
  writeFileSync(baselinesFile, `${JSON.stringify(next, null, 2)}\n`);
  console.log(`baselines: ${Object.keys(measured).length} ratios written to scripts/bench-baselines.json`);
} else {
  console.log(`bench:check: ${failed === 0 ? 'PASS' : `FAIL (${failed})`}; a ratio fails more than ${TOLERANCE * 100}% below its baseline`);
  process.exitCode = failed === 0 ? 0 : 1;
}
