/**
 * The monitor scraped by a real Prometheus (Debian's package, started here on loopback with the
 * project's alert rules): the series as Prometheus stored them, every dashboard expression
 * evaluated without error, every alert rule evaluated healthy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { CliProcess, freePort, startDummy, startMonitor, uniqueTopics } from '../support/cli-process.js';
import { dashboardExprs, rulesFile } from '../support/monitor-deploy.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
let prometheus: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'streamforge-prometheus-'));
afterAll(() => {
  for (const p of running) p.kill('SIGKILL');
  prometheus?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}
type Api<T> = { status: string; data: T; error?: string };

async function api<T>(base: string, path: string): Promise<Api<T>> {
  const res = await fetch(`${base}${path}`);
  return (await res.json()) as Api<T>;
}
const query = (base: string, expr: string) =>
  api<{ resultType: string; result: Sample[] }>(base, `/api/v1/query?query=${encodeURIComponent(expr)}`);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The value Prometheus holds now for a selector of one series, if it has one. */
async function valueOf(base: string, expr: string): Promise<number | undefined> {
  const r = await query(base, expr);
  const [one] = r.data.result;
  return one ? Number(one.value[1]) : undefined;
}

it('Prometheus stores what the monitor exports: status and probe success per queue, dashboard and rules evaluate', async () => {
  const topics = uniqueTopics('monitor-prom');
  const env = { ...broker, ...topics };
  const { monitor, port } = await startMonitor(['--probe-interval', '1s', '--probe-timeout', '800ms', '--stale', '4s'], env);
  running.push(monitor);

  const promPort = await freePort();
  const base = `http://127.0.0.1:${promPort}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${rulesFile}']`,
      'scrape_configs:',
      '  - job_name: streamforge-monitor',
      `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let promLog = '';
  prometheus.stderr?.on('data', (d: Buffer) => (promLog += d.toString()));
  const spawned = new Promise<void>((resolve, reject) => {
    prometheus?.once('spawn', () => resolve());
    prometheus?.once('error', (err) => reject(new Error(`prometheus did not start (run make setup): ${err.message}`)));
  });
  await spawned;
  await until('Prometheus ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined));

  const live = await startDummy(['--queue-id', 'p-live', '--simulate-loading', '--loading-interval', '300ms'], env);
  const killed = await startDummy(['--queue-id', 'p-kill'], env);
  running.push(live, killed);

  await until('the live queue stored as loading and answering', async () =>
    (await valueOf(base, 'streamforge_queue_status{queue_id="p-live",status="loading"}')) === 1 &&
    (await valueOf(base, 'streamforge_probe_success{queue_id="p-live"}')) === 1 &&
    (await valueOf(base, 'streamforge_probe_success{queue_id="p-kill"}')) === 1
      ? true
      : undefined,
  );
  killed.kill('SIGKILL');
  await until('the killed queue stored as failing its probe, then stale', async () =>
    (await valueOf(base, 'max_over_time(streamforge_probe_success{queue_id="p-kill"}[1m])')) === 1 &&
    (await valueOf(base, 'streamforge_probe_success{queue_id="p-kill"}')) === 0 &&
    (await valueOf(base, 'streamforge_queue_status{queue_id="p-kill",status="stale"}')) === 1
      ? true
      : undefined,
  );
  expect(await valueOf(base, 'up{job="streamforge-monitor"}')).toBe(1);
  expect(await valueOf(base, 'streamforge_monitor_ready')).toBe(1);
  expect(await valueOf(base, 'streamforge_queue_status{queue_id="p-live",status="stale"}')).toBe(0);
  expect(await valueOf(base, 'streamforge_probe_rtt_seconds_count{queue_id="p-live"}')).toBeGreaterThanOrEqual(1);

  // every dashboard expression, as Grafana would send it ($__rate_interval: 4 scrapes or more)
  const exprs = dashboardExprs();
  for (const { panel, expr } of exprs) {
    const r = await query(base, expr.replaceAll('$__rate_interval', '30s'));
    expect([panel, expr, r.status, r.error]).toEqual([panel, expr, 'success', undefined]);
  }
  const byStatus = await query(base, exprs.find((e) => e.panel === 'Queues by status')!.expr);
  expect(byStatus.data.result.find((s) => s.metric.status === 'loading')?.value[1]).toBe('1');
  expect(byStatus.data.result.find((s) => s.metric.status === 'stale')?.value[1]).toBe('1');

  // the alert rules loaded and evaluated without error
  const rules = await until('rules evaluated', async () => {
    const r = await api<{ groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> }>(base, '/api/v1/rules');
    const all = r.data.groups.flatMap((g) => g.rules);
    return all.length === 5 && all.every((x) => x.health !== 'unknown') ? all : undefined;
  });
  expect(rules.map((r) => [r.name, r.health, r.lastError ?? ''])).toEqual(rules.map((r) => [r.name, 'ok', '']));
  expect(promLog).not.toMatch(/level=error/);
});
