#!/usr/bin/env node
// npm run bench:binary — how fast the single executable starts: `streamforge --help` and
// `--version` as dist/streamforge-linux-x64 against `node -e 0` (the yardstick: Node starting
// and doing nothing), with `node bin/streamforge --help` (the npm package's start) beside them;
// medians of 21 alternating runs, the executable built first when dist/ has none.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log, reportRatio, root } from './bench-common.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const binary = join(root, 'dist', 'streamforge-linux-x64');
if (!existsSync(binary)) execFileSync(process.execPath, [join(root, 'scripts', 'build-binary.mjs')], { stdio: 'inherit' });

const contestants = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'executable --version': [binary, ['--version']],
  'executable --help': [binary, ['--help']],
  'node bin/streamforge --help': [process.execPath, [join(root, 'bin', 'streamforge'), '--help']],
};
const times = Object.fromEntries(Object.keys(contestants).map((k) => [k, []]));
log(`${RUNS} alternating runs of each`);
// one run of each first, not counted: the page cache
for (const [cmd, args] of Object.values(contestants)) spawnSync(cmd, args, { stdio: 'ignore' });
for (let i = 0; i < RUNS; i++) {
  for (const [name, [cmd, args]] of Object.entries(contestants)) {
    const t0 = process.hrtime.bigint();
    const run = spawnSync(cmd, args, { stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`${name} exited with ${run.status}`);
    times[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const yardstick = median(times['node -e 0']);
const rows = Object.keys(times).map((name) => {
  const m = median(times[name]);
  const ratio = m / yardstick;
  const target = name.startsWith('executable') ? `<= 1.1x ${ratio <= 1.1 ? 'PASS' : 'FAIL'}` : name === 'node -e 0' ? 'yardstick' : '';
  return `| ${name} | ${m.toFixed(1)} ms | ${ratio.toFixed(2)}x | ${target} |`;
});
reportRatio('node -e 0 / executable --version (time)', yardstick / median(times['executable --version']), `medians of ${RUNS}`);
reportRatio('node -e 0 / executable --help (time)', yardstick / median(times['executable --help']), `medians of ${RUNS}`);
console.log(`executable: ${(statSync(binary).size / 1e6).toFixed(1)} MB`);
console.log(['| start | median | against node -e 0 | target |', '|---|---|---|---|', ...rows].join('\n'));
