/**
 * The alert rules and the dashboard against the real tools and the real metrics: promtool checks
 * the rules and runs their unit tests (each alert fires and stays silent where it should), and
 * every metric name the rules and the dashboard use is one the monitor exports.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { monitorMetricNames } from '../../../src/monitor/metrics.js';
import { dashboardExprs, ruleTestsFile, rulesFile } from '../../support/monitor-deploy.js';

const rules = rulesFile;

function promtool(args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is not installed: run `make setup` (Debian package prometheus)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

describe('alert rules and dashboard', () => {
  it('pass promtool check rules', () => {
    expect(promtool(['check', 'rules', rules])).toMatch(/SUCCESS: 5 rules found/);
  });

  it('pass their promtool unit tests: every alert fires, and stays silent beside it', () => {
    expect(promtool(['test', 'rules', ruleTestsFile])).toMatch(/SUCCESS/);
  });

  it('use only metrics the monitor exports', () => {
    const exported = new Set(monitorMetricNames);
    const used = new Set(
      [
        ...readFileSync(rules, 'utf8').matchAll(/\bstreamforge_[a-z_]+/g),
        ...dashboardExprs()
          .map((e) => e.expr)
          .join('\n')
          .matchAll(/\bstreamforge_[a-z_]+/g),
      ].map((m) => m[0]),
    );
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
  });
});
