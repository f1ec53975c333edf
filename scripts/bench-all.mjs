#!/usr/bin/env node
// `make bench`: every benchmark in turn, its output shown as it runs, then one line per target
// with its verdict (each benchmark judges its targets against yardsticks measured in the same
// run: docs/benchmarks.md). Exits 1 when a target failed or a benchmark did not finish.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchmarks = ['binary', 'ping', 'producer', 'produce-gateway', 'watch', 'startup', 'monitor', 'soak'];

function run(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', `bench-${name}.mjs`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (code, signal) => resolve({ out, status: code ?? signal }));
  });
}

/** A table row's verdict: the first PASS or FAIL in its last cell that says either. */
function verdicts(name, out) {
  const found = [];
  for (const line of out.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const judged = cells.findLast((c) => /\b(PASS|FAIL)\b/.test(c));
    if (!judged) continue;
    const verdict = /\b(PASS|FAIL)\b/.exec(judged)?.[1];
    // the figures beside the verdict: the row's other cells, the yardstick's included
    const figures = cells
      .slice(1)
      .filter((c) => c && c !== judged && !/^yardstick$/.test(c))
      .join('; ');
    const target = judged.replace(/\s*\b(PASS|FAIL)\b\s*/, ' ').trim();
    found.push({ verdict, line: `${verdict}  ${name}: ${cells[0]}: ${[figures, target].filter(Boolean).join(' | ')}` });
  }
  return found;
}

const summary = [];
for (const name of benchmarks) {
  process.stdout.write(`\n== npm run bench:${name}\n`);
  const { out, status } = await run(name);
  const found = verdicts(name, out);
  if (status !== 0) summary.push({ verdict: 'FAIL', line: `FAIL  ${name}: the benchmark exited with ${status}` });
  else if (found.length === 0) summary.push({ verdict: 'NONE', line: `----  ${name}: no target, figures only` });
  summary.push(...found);
}
const failed = summary.filter((s) => s.verdict === 'FAIL').length;
console.log(`\n== targets\n${summary.map((s) => s.line).join('\n')}`);
console.log(`bench: ${failed === 0 ? 'PASS' : `FAIL (${failed} of ${summary.filter((s) => s.verdict !== 'NONE').length})`}`);
process.exit(failed === 0 ? 0 : 1);
