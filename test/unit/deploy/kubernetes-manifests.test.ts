/**
 * The Kubernetes manifests checked against the CLI itself: every argument and variable a
 * container uses exists for its subcommand, ports and probe paths are what the subcommand
 * serves, images and the CA path agree, and the Job and Deployment keep the house rules.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { KafkaTopic } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaTopic';
import { KafkaUser } from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaUser';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { commands } from '../../../src/commands/index.js';
import { serveProducerSettings } from '../../../src/commands/serve-producer.js';
import type { SettingMap } from '../../../src/config/resolve.js';
import { projectRoot } from '../../support/broker.js';

type Doc = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  // Kubernetes objects are walked loosely by path here; the assertions check what matters.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
};
/** variables Node itself reads */
const nodeVariables = new Set(['NODE_OPTIONS']);

interface Container {
  name: string;
  image: string;
  args: string[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  volumeMounts?: Array<{ mountPath: string }>;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
}

const dir = join(projectRoot, 'deploy/kubernetes');
const kustomization = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as {
  resources: string[];
  images: Array<{ name: string; newTag: string }>;
  configMapGenerator: Array<{ name: string; files: string[]; options: { labels: Record<string, string>; disableNameSuffixHash: boolean } }>;
};
/** What kustomize makes of a configMapGenerator entry: `key=path` files become data keys. */
const generated: Doc[] = kustomization.configMapGenerator.map((g) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: g.name, labels: g.options.labels },
  data: Object.fromEntries(
    g.files.map((f) => {
      const [key, path] = f.includes('=') ? (f.split('=') as [string, string]) : [f.split('/').pop() ?? f, f];
      return [key, readFileSync(join(dir, path), 'utf8')];
    }),
  ),
}));
const docs: Doc[] = [
  ...kustomization.resources.flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as Doc)),
  ...generated,
];
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
const named = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
const spec = (name: string) => commands.find((c) => c.name === name);
const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };

function variablesOf(settings: SettingMap): Set<string> {
  return new Set(Object.values(settings).flatMap((s) => [s.env, ...(s.envAliases ?? [])].filter((x): x is string => Boolean(x))));
}
function flagsOf(settings: SettingMap): Set<string> {
  return new Set(Object.values(settings).flatMap((s) => (s.flags ?? '').split(/[ ,]+/).filter((f) => f.startsWith('-'))));
}

/** The real schemas: Kubernetes' (kubernetes-models) and Strimzi's CRDs (@kubernetes-models/strimzi-kafka-operator). */
const models: Record<string, (doc: Doc) => { validate(): void }> = {
  'apps/v1 Deployment': (d) => new Deployment(d as never),
  'batch/v1 Job': (d) => new Job(d as never),
  'policy/v1 PodDisruptionBudget': (d) => new PodDisruptionBudget(d as never),
  'autoscaling/v2 HorizontalPodAutoscaler': (d) => new HorizontalPodAutoscaler(d as never),
  'v1 ConfigMap': (d) => new ConfigMap(d as never),
  'v1 Secret': (d) => new Secret(d as never),
  'v1 Service': (d) => new Service(d as never),
  'kafka.strimzi.io/v1beta2 KafkaTopic': (d) => new KafkaTopic(d as never),
  'kafka.strimzi.io/v1beta2 KafkaUser': (d) => new KafkaUser(d as never),
  'monitoring.coreos.com/v1 ServiceMonitor': (d) => new ServiceMonitor(d as never),
  'monitoring.coreos.com/v1 PrometheusRule': (d) => new PrometheusRule(d as never),
};
const kindOf = (d: Doc) => `${(d as Doc & { apiVersion: string }).apiVersion} ${d.kind}`;

const workloads = [...byKind('Job'), ...byKind('Deployment')].map((d) => ({
  doc: d,
  pod: d.spec.template.spec,
  containers: d.spec.template.spec.containers as Container[],
}));

describe('the Kubernetes manifests', () => {
  it('list every YAML file in deploy/kubernetes, and every file parses', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(docs.every((d) => d.kind && d.metadata?.name)).toBe(true);
  });

  it.each(workloads.flatMap((w) => w.containers.map((c) => [`${w.doc.kind}/${w.doc.metadata.name}`, c] as const)))(
    '%s: every flag and variable exists for its subcommand',
    (_name, c) => {
      const command = spec(c.args[0] ?? '');
      expect(command).toBeDefined();
      const flags = flagsOf(command!.settings);
      for (const a of c.args.slice(1).filter((x) => x.startsWith('-'))) expect([a, flags.has(a)]).toEqual([a, true]);
      const vars = variablesOf(command!.settings);
      const fromMaps = (c.envFrom ?? []).flatMap((e) => {
        const ref = e.configMapRef ? named('ConfigMap', e.configMapRef.name) : named('Secret', e.secretRef?.name ?? '');
        expect(ref).toBeDefined();
        return Object.keys(ref?.data ?? ref?.stringData ?? {});
      });
      // Node's own variables are Node's to check (below), not a subcommand's
      const ours = [...fromMaps, ...(c.env ?? []).map((e) => e.name)].filter((v) => !nodeVariables.has(v));
      for (const v of ours) expect([v, vars.has(v)]).toEqual([v, true]);
    },
  );

  it('NODE_OPTIONS, where set, is accepted by this Node', () => {
    const set = workloads.flatMap((w) => w.containers).flatMap((c) => (c.env ?? []).filter((e) => e.name === 'NODE_OPTIONS'));
    expect(set.length).toBeGreaterThan(0);
    for (const { value } of set) {
      const run = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: value }, encoding: 'utf8' });
      expect([value, run.status, run.stderr]).toEqual([value, 0, '']);
    }
  });

  it('ports and probes are what the subcommands serve', () => {
    for (const { containers } of workloads) {
      for (const c of containers) {
        const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
        const portName = c.readinessProbe?.httpGet.port;
        const port = c.ports?.find((p) => p.name === portName)?.containerPort;
        if (c.args[0] === 'dummy') {
          expect(port).toBe(Number(env.METRICS_PORT ?? 8000));
          expect([c.readinessProbe?.httpGet.path, c.livenessProbe?.httpGet.path]).toEqual(['/readyz', '/healthz']);
        } else if (c.args[0] === 'serve-producer') {
          const flagPort = c.args[c.args.indexOf('--port') + 1];
          expect(port).toBe(Number(flagPort ?? env.PRODUCER_PORT ?? 8001));
          expect([c.readinessProbe?.httpGet.path, c.livenessProbe?.httpGet.path]).toEqual(['/ready', '/health']);
        } else if (c.args[0] === 'monitor') {
          expect(port).toBe(Number(env.METRICS_PORT ?? 9108));
          expect([c.readinessProbe?.httpGet.path, c.livenessProbe?.httpGet.path]).toEqual(['/readyz', '/healthz']);
        } else throw new Error(`unexpected workload ${c.args[0]}`);
      }
    }
  });

  it('the Service targets the port the Deployment serves; the PDB and Service select its pods', () => {
    const dep = named('Deployment', 'serve-producer')!;
    const labels = dep.spec.template.metadata.labels;
    expect(named('Service', 'serve-producer')!.spec.selector).toEqual(labels);
    expect(named('PodDisruptionBudget', 'serve-producer')!.spec.selector.matchLabels).toEqual(labels);
    const target = named('Service', 'serve-producer')!.spec.ports[0].targetPort;
    expect((dep.spec.template.spec.containers[0] as Container).ports?.map((p) => p.name)).toContain(target);
  });

  it('the preStop pause and the shutdown timeout fit in the grace period, so the flush is never cut off by SIGKILL', () => {
    const pod = named('Deployment', 'serve-producer')!.spec.template.spec;
    const c = pod.containers[0] as Container;
    const timeout = Number((c.env?.find((e) => e.name === 'SERVER_SHUTDOWN_TIMEOUT')?.value ?? '20s').replace(/s$/, ''));
    const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
    // the command's default stays below Kubernetes' default grace, for pods that do not set it
    expect(serveProducerSettings.shutdownTimeout.default).toBeLessThan(30_000);
    expect(preStop).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + timeout + 2);
  });

  it('the dummy Job keeps the seed example: labels app and queue_id, Never, backoffLimit 2, ttl 3600', () => {
    for (const job of byKind('Job')) {
      expect(Object.keys(job.metadata.labels ?? {})).toEqual(expect.arrayContaining(['app', 'queue_id']));
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(job.spec.backoffLimit).toBe(2);
      expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
      const c = job.spec.template.spec.containers[0] as Container;
      expect(c.env?.find((e) => e.name === 'QUEUE_ID')?.value).toBe(job.metadata.labels?.queue_id);
    }
  });

  it('one image everywhere, tagged with the package version; the CA is mounted where KAFKA_CA_PATH points', () => {
    const caPath = named('ConfigMap', 'streamforge-kafka')!.data!.KAFKA_CA_PATH;
    expect(caPath).toBe('/usr/local/share/ca-certificates/ca.crt');
    for (const { containers, pod } of workloads) {
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      for (const c of containers) {
        expect(c.image).toBe('streamforge');
        expect(c.volumeMounts?.map((m) => m.mountPath)).toContain(caPath);
      }
    }
    expect(kustomization.images).toEqual([expect.objectContaining({ name: 'streamforge', newTag: pkg.version })]);
  });

  it('Strimzi resources: the three topics, SCRAM users with only the ACLs their workload needs', () => {
    expect(
      byKind('KafkaTopic')
        .map((t) => t.metadata.name)
        .sort(),
    ).toEqual(['events', 'queue-control', 'queue-events', 'streamforge-idempotency-answers', 'streamforge-idempotency-claims']);
    const users = byKind('KafkaUser');
    expect(users.every((u) => u.spec.authentication.type === 'scram-sha-512')).toBe(true);
    const acl = (user: string, topic: string) =>
      named('KafkaUser', user)!.spec.authorization.acls.find(
        (a: { resource: { type: string; name?: string } }) => a.resource.type === 'topic' && a.resource.name === topic,
      )?.operations ?? [];
    expect(acl('user-streamforge-dummy', 'queue-control')).toEqual(['Read', 'Describe']);
    expect(acl('user-streamforge-dummy', 'queue-events')).toEqual(['Write', 'Describe']);
    expect(acl('user-streamforge-producer', 'queue-control')).toEqual([]);
    expect(acl('user-streamforge-producer', 'events')).toEqual(['Write', 'Describe']);
    // the Job's dummy commits to its default group, consumer-<QUEUE_ID>: its user may Read it
    const jobQueueId = named('Job', 'job-dummy-btcusdt-abc123')!.metadata.labels!.queue_id as string;
    const groupAcls = (
      named('KafkaUser', 'user-streamforge-dummy')!.spec.authorization.acls as Array<{
        resource: { type: string; name: string; patternType: string };
        operations: string[];
      }>
    ).filter((a) => a.resource.type === 'group' && a.operations.includes('Read'));
    expect(
      groupAcls.some((a) =>
        a.resource.patternType === 'prefix'
          ? `consumer-${jobQueueId}`.startsWith(a.resource.name)
          : a.resource.name === `consumer-${jobQueueId}`,
      ),
    ).toBe(true);
    // each workload's Secret names its own user
    expect(named('Secret', 'streamforge-dummy-credentials')!.stringData!.KAFKA_USER).toBe('user-streamforge-dummy');
    expect(named('Secret', 'streamforge-producer-credentials')!.stringData!.KAFKA_USER).toBe('user-streamforge-producer');
    // the monitor reads events and writes pings, nothing more
    expect(acl('user-streamforge-monitor', 'queue-events')).toEqual(['Read', 'Describe']);
    expect(acl('user-streamforge-monitor', 'queue-control')).toEqual(['Write', 'Describe']);
    expect(named('Secret', 'streamforge-monitor-credentials')!.stringData!.KAFKA_USER).toBe('user-streamforge-monitor');
  });

  it("Idempotency-Key: the topics and transactional ids serve-producer's defaults name, its user's ACLs on them, and an HPA beside the PDB", () => {
    const prefix = serveProducerSettings.idempotencyTopic.default;
    const topics = byKind('KafkaTopic').filter((t) => t.metadata.name.startsWith(`${prefix}-`));
    expect(topics.map((t) => t.metadata.name).sort()).toEqual([`${prefix}-answers`, `${prefix}-claims`]);
    // kept at least as long as a key lives
    for (const t of topics)
      expect(Number(t.spec.config['retention.ms'])).toBeGreaterThanOrEqual(serveProducerSettings.idempotencyTtl.default);
    const acls = named('KafkaUser', 'user-streamforge-producer')!.spec.authorization.acls as Array<{
      resource: { type: string; name?: string; patternType?: string };
      operations: string[];
    }>;
    for (const t of topics) {
      expect(acls.find((a) => a.resource.type === 'topic' && a.resource.name === t.metadata.name)?.operations.sort()).toEqual([
        'Describe',
        'Read',
        'Write',
      ]);
    }
    const txn = acls.find((a) => a.resource.type === 'transactionalId');
    expect(txn?.resource).toEqual({ type: 'transactionalId', name: `${prefix}-`, patternType: 'prefix' });
    expect(txn?.operations.sort()).toEqual(['Describe', 'Write']);
    // each pod's name in its transactional ids
    const env = (
      named('Deployment', 'serve-producer')!.spec.template.spec.containers[0] as {
        env: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
      }
    ).env;
    expect(env.find((e) => e.name === 'PRODUCER_REPLICA_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    const hpa = named('HorizontalPodAutoscaler', 'serve-producer')!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'serve-producer' });
    expect(hpa.spec.minReplicas).toBeGreaterThan(named('PodDisruptionBudget', 'serve-producer')!.spec.minAvailable);
  });

  it('the monitor: one replica, its Service and ServiceMonitor select its pods and its metrics port', () => {
    const dep = named('Deployment', 'streamforge-monitor')!;
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.strategy.type).toBe('Recreate');
    const labels = dep.spec.template.metadata.labels;
    const service = named('Service', 'streamforge-monitor')!;
    expect(service.spec.selector).toEqual(labels);
    const container = dep.spec.template.spec.containers[0] as Container;
    expect(container.ports?.map((p) => p.name)).toContain(service.spec.ports[0].targetPort);
    const sm = named('ServiceMonitor', 'streamforge-monitor')!;
    expect(Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => service.metadata.labels?.[k] === v)).toBe(true);
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: service.spec.ports[0].name, path: '/metrics' })]);
  });

  it('the PrometheusRule carries exactly the rule file that promtool tests', () => {
    const file = parseAllDocuments(
      readFileSync(join(projectRoot, 'deploy/prometheus/streamforge-monitor.rules.yaml'), 'utf8'),
    )[0]?.toJS() as {
      groups: unknown[];
    };
    expect(named('PrometheusRule', 'streamforge-monitor')!.spec.groups).toEqual(file.groups);
  });

  it("the dashboard ConfigMap has Grafana's sidecar label and the dashboard's JSON", () => {
    const cm = named('ConfigMap', 'streamforge-monitor-dashboard')!;
    expect(cm.metadata.labels).toEqual({ grafana_dashboard: '1' });
    const dash = JSON.parse(cm.data!['streamforge-monitor.json'] ?? '') as { uid: string; panels: Array<{ title: string }> };
    expect(dash.uid).toBe('streamforge-monitor');
    expect(dash.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Queues by status', 'Queues', 'Probe success', 'Probe RTT percentiles', 'Event rates']),
    );
  });
});

describe('every object against its real schema', () => {
  it('every kind under deploy/ has a schema here (a new kind must get one)', () => {
    expect(docs.map(kindOf).filter((k) => !(k in models))).toEqual([]);
  });

  it.each(docs.map((d) => [`${kindOf(d)} ${d.metadata.name}`, d] as const))('%s is valid', (_name, doc) => {
    expect(() => (models[kindOf(doc)] as (d: Doc) => { validate(): void })(doc).validate()).not.toThrow();
  });

  it('the schemas do catch a mistake (a Strimzi field and a Kubernetes one)', () => {
    const user = docs.find((d) => d.kind === 'KafkaUser') as Doc;
    const badUser = { ...user, spec: { ...user.spec, authentication: { type: 'scram-sha-999' } } };
    expect(() => (models[kindOf(user)] as (d: Doc) => { validate(): void })(badUser).validate()).toThrow(/authentication\/type/);
    const job = byKind('Job')[0] as Doc;
    const badJob = { ...job, spec: { ...job.spec, backoffLimit: 'twice' } };
    expect(() => (models[kindOf(job)] as (d: Doc) => { validate(): void })(badJob).validate()).toThrow(/backoffLimit/);
  });
});
