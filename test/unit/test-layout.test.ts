/**
 * test/ mirrors src/: each module has a test named after it, or is listed below with the suite
 * that tests it (a feature across modules, or the real thing through the CLI) or the reason it
 * has no logic of its own. A new module must take one of the two roads, and an entry goes when
 * its module gets a test of its own, so the list stays true.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Modules tested by a suite named after a feature, or through the real executable. */
const testedBy: Record<string, string> = {
  'src/binary/cache-setup.ts': 'test/integration/binary.test.ts',
  'src/binary/main.ts': 'test/integration/binary.test.ts',
  'src/binary/packed-files.ts': 'test/integration/binary.test.ts',
  'src/resources.ts': 'test/integration/binary.test.ts',
  'src/schema/codec.ts': 'test/unit/schema/schema-resolver.test.ts',
  'src/schema/schema-error.ts': 'test/unit/schema/schema-resolver.test.ts',
  'src/cli.ts': 'test/integration/cli-help.test.ts',
  'src/commands/common.ts': 'test/unit/commands/ping.test.ts',
  'src/config/common-settings.ts': 'test/unit/config/resolve.test.ts',
  'src/control/control-io.ts': 'test/unit/control/ping-run.test.ts',
  'src/control/kafka-control-io.ts': 'test/integration/dummy-ping-stop.test.ts',
  'src/control/ping-report.ts': 'test/integration/dummy-ping-stop.test.ts',
  'src/control/stop-report.ts': 'test/unit/control/stop-run.test.ts',
  'src/dummy/service.ts': 'test/integration/dummy-ping-stop.test.ts',
  'src/http/body/json-body.ts': 'test/unit/http/hostile-bodies.test.ts',
  'src/http/errors/documented-responses.ts': 'test/unit/errors.test.ts',
  'src/http/errors/failure-answer.ts': 'test/unit/http/routes/produce.test.ts',
  'src/http/errors/kafka-rest-errors.ts': 'test/unit/errors.test.ts',
  'src/http/gateway/schema-records.ts': 'test/integration/schema-registry.test.ts',
  'src/http/gateway/v2-records.ts': 'test/unit/http/routes/kafka-rest-v2.test.ts',
  'src/http/gateway/v3-records.ts': 'test/unit/http/routes/kafka-rest-v3.test.ts',
  'src/http/gateway/v3-record-stream.ts': 'test/unit/http/routes/kafka-rest-v3.test.ts',
  'src/http/http-metrics.ts': 'test/unit/http/routes/produce.test.ts',
  'src/http/plugins/admission-check.ts': 'test/unit/http/client-bounds.test.ts',
  'src/http/plugins/bearer-auth.ts': 'test/unit/http/app.test.ts',
  'src/http/plugins/docs.ts': 'test/integration/docs-in-browser.test.ts',
  'src/http/plugins/request-tracing.ts': 'test/integration/tracing.test.ts',
  'src/http/publish/traced-publisher.ts': 'test/integration/tracing.test.ts',
  'src/http/request-span.ts': 'test/integration/tracing.test.ts',
  'src/http/plugins/json-bodies.ts': 'test/unit/http/hostile-bodies.test.ts',
  'src/http/process/server.ts': 'test/integration/serve-producer.test.ts',
  'src/http/process/tls-files.ts': 'test/integration/serve-producer-https.test.ts',
  'src/http/publish/publish.ts': 'test/unit/http/client-bounds.test.ts',
  'src/http/publish/topic-check.ts': 'test/unit/http/routes/kafka-rest-v2.test.ts',
  'src/kafka/connect.ts': 'test/integration/sasl-scram.test.ts',
  'src/kafka/transactions.ts': 'test/integration/idempotency.test.ts',
  'src/kafka/transaction-error.ts': 'test/unit/http/idempotency/transaction-batcher.test.ts',
  'src/config/idempotency-settings.ts': 'test/integration/idempotency.test.ts',
  'src/http/idempotency/request-lease.ts': 'test/unit/http/idempotency/idempotency-plugin.test.ts',
  'src/http/idempotency/idempotency-store.ts': 'test/integration/idempotency-chaos.test.ts',
  'src/http/process/idempotency-runtime.ts': 'test/integration/idempotency.test.ts',
  'src/kafka/topics.ts': 'test/unit/http/publish/topic-catalog.test.ts',
  'src/monitor/run-monitor.ts': 'test/integration/monitor.test.ts',
  'src/observability/memory.ts': 'test/integration/dummy-ping-stop.test.ts',
  'src/plane/control-plane.ts': 'test/integration/watch.test.tsx',
  'src/protocol/codec.ts': 'test/unit/protocol/events.test.ts',
  'src/tracing/otel-tracing.ts': 'test/integration/tracing.test.ts',
  'src/watch/run-json.ts': 'test/integration/watch.test.tsx',
  'src/watch/run-tui.ts': 'test/integration/watch.test.tsx',
  'src/watch/ui/DetailPane.tsx': 'test/unit/watch/App.test.tsx',
  'src/watch/ui/EventLog.tsx': 'test/unit/watch/App.test.tsx',
  'src/watch/ui/Footer.tsx': 'test/unit/watch/App.test.tsx',
  'src/watch/ui/Header.tsx': 'test/unit/watch/App.test.tsx',
  'src/watch/ui/QueueTable.tsx': 'test/unit/watch/App.test.tsx',
  'src/watch/ui/use-view-state.ts': 'test/unit/watch/App.test.tsx',
  'src/watch/ui/use-watch-state.ts': 'test/unit/watch/App.test.tsx',
};

/** Modules with no logic of their own: types, names, a list, wiring. */
const noLogic: Record<string, string> = {
  'src/commands/command-spec.ts': "a command's type and defineCommand, which returns its argument",
  'src/commands/index.ts': 'the list of commands',
  'src/http/publish/publisher.ts': "the HTTP layer's interface to a producer, and an adapter that forwards each call",
  'src/http/schema-refs.ts': 'schema names and their $ref',
  'src/http/services.ts': "the routes' shared services: types, and a spread",
  'src/protocol/types.ts': "the wire's types and name lists",
  'src/watch/layout-engine.ts': 'loads yoga for ink',
  'src/watch/source.ts': "the screen's source: an interface",
};

function files(dir: string, match: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, match);
    return match.test(name) ? [relative(root, path)] : [];
  });
}

const modules = files(join(root, 'src'), /\.tsx?$/).filter((f) => !f.endsWith('.d.ts'));
const testNames = new Set(files(join(root, 'test'), /\.test\.tsx?$/).map((f) => basename(f).replace(/\.test\.tsx?$/, '')));
const stem = (module: string) => basename(module).replace(/\.tsx?$/, '');

describe('test/ mirrors src/', () => {
  it('every module has a test of its own name, or a suite that tests it, or no logic of its own', () => {
    const homeless = modules.filter((m) => !testNames.has(stem(m)) && !(m in testedBy) && !(m in noLogic));
    expect(homeless).toEqual([]);
  });

  it('every listed suite exists, and no module with a test of its own is still listed', () => {
    for (const [module, suite] of Object.entries(testedBy)) expect([module, existsSync(join(root, suite))]).toEqual([module, true]);
    const listed = [...Object.keys(testedBy), ...Object.keys(noLogic)];
    expect(listed.filter((m) => !modules.includes(m))).toEqual([]);
    expect(listed.filter((m) => testNames.has(stem(m)))).toEqual([]);
  });
});
