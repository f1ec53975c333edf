// Integration tests need a real broker. With KAFKA_BOOTSTRAP_SERVERS set, that broker is used.
// Otherwise the project's own script starts one of the tests' own, in .kafka/test (its data,
// certificates and ports apart from a broker `make kafka-up` runs for a person): the hundred
// topics the suite creates never show up in a user's broker. The teardown stops it and removes
// its data.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const testBrokerDir = `${root}.kafka/test`;

export function testBroker(command) {
  execFileSync(`${root}scripts/kafka-local.sh`, [command], {
    stdio: ['ignore', 'ignore', command === 'status' ? 'ignore' : 'inherit'],
    env: { ...process.env, KAFKA_LOCAL_DIR: testBrokerDir },
  });
}

// The same for the Schema Registry the schema-typed records' tests need: SCHEMA_REGISTRY_URL
// names one to use; else the project's script starts one in .schema-registry/test (built once
// from Maven Central and cached, like the broker's jars).
export const testRegistryDir = `${root}.schema-registry/test`;

export function testRegistry(command) {
  execFileSync(`${root}scripts/schema-registry-local.sh`, [command], {
    stdio: ['ignore', 'ignore', command === 'status' ? 'ignore' : 'inherit'],
    env: { ...process.env, SCHEMA_REGISTRY_LOCAL_DIR: testRegistryDir },
  });
}

// And Jaeger for the tracing tests: JAEGER_QUERY_URL and OTEL_EXPORTER_OTLP_ENDPOINT name one to
// use; else the project's script starts one in .jaeger/test (built once from the Go module
// proxy and cached; CI starts that build early, in the background, and this waits for it).
export const testJaegerDir = `${root}.jaeger/test`;

export function testJaeger(command) {
  execFileSync(`${root}scripts/jaeger-local.sh`, [command], {
    stdio: ['ignore', 'ignore', command === 'status' ? 'ignore' : 'inherit'],
    env: { ...process.env, JAEGER_LOCAL_DIR: testJaegerDir },
  });
}

export default function globalSetup() {
  if (!process.env.JAEGER_QUERY_URL) {
    try {
      testJaeger('status');
    } catch {
      process.stderr.write("\nstarting the tests' own Jaeger in .jaeger/test (scripts/jaeger-local.sh up)\n");
      testJaeger('up');
    }
  }
  if (!process.env.SCHEMA_REGISTRY_URL) {
    try {
      testRegistry('status');
    } catch {
      process.stderr.write("\nstarting the tests' own Schema Registry in .schema-registry/test (scripts/schema-registry-local.sh up)\n");
      testRegistry('up');
    }
  }
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return;
  try {
    testBroker('status'); // left running by an interrupted run or by KEEP_KAFKA=1
  } catch {
    process.stderr.write("\nstarting the tests' own Kafka broker in .kafka/test (scripts/kafka-local.sh up)\n");
    testBroker('up');
  }
}
