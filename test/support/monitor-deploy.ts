/** The monitor's Prometheus and Grafana files, for the tests that check them with real tools. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './broker.js';

export const rulesFile = join(projectRoot, 'deploy/prometheus/streamforge-monitor.rules.yaml');
export const ruleTestsFile = join(projectRoot, 'deploy/prometheus/streamforge-monitor.rules.test.yaml');
export const dashboardFile = join(projectRoot, 'deploy/kubernetes/grafana/streamforge-monitor.json');

/** Every PromQL expression of the dashboard's panels, with the panel's title. */
export function dashboardExprs(): Array<{ panel: string; expr: string }> {
  const dash = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  return dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}
