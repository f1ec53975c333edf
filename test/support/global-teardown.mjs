import { rmSync } from 'node:fs';
import { testBroker, testBrokerDir, testJaeger, testRegistry } from './global-setup.mjs';

// The tests' own broker stops, and its topics go with its data; KEEP_KAFKA=1 keeps it running
// for the next run (a developer running one file after another).
export default function globalTeardown() {
  if (process.env.KEEP_KAFKA) return;
  if (!process.env.SCHEMA_REGISTRY_URL) testRegistry('down');
  if (!process.env.JAEGER_QUERY_URL) testJaeger('down');
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return;
  testBroker('down');
  rmSync(`${testBrokerDir}/data`, { recursive: true, force: true });
}
