/**
 * /docs as a person sees it: serve-producer against the real broker, opened in headless
 * Chromium under a host name that is not localhost (mapped to 127.0.0.1 by Chromium's own
 * resolver rules). Chromium treats localhost as secure and a name like this one as any other
 * site: had the page said `upgrade-insecure-requests` over plain HTTP, Swagger UI's scripts
 * would have been fetched over HTTPS, which nobody serves, and no operation would render.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { startProducerServer, type RunningServer } from '../support/http-server.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const profile = mkdtempSync(join(tmpdir(), 'streamforge-chromium-'));
let server: RunningServer;

beforeAll(async () => {
  server = await startProducerServer(['--log-level', 'warn'], { ...broker });
});
afterAll(() => {
  server?.process.kill('SIGKILL');
  rmSync(profile, { recursive: true, force: true });
});

async function domOf(url: string, host: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'chromium',
    [
      '--headless',
      '--no-sandbox', // the tests may run as root, where Chromium's sandbox refuses to start
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      `--host-resolver-rules=MAP ${host} 127.0.0.1`,
      // virtual time runs the page's scripts to idle without a wall-clock wait
      '--virtual-time-budget=20000',
      '--dump-dom',
      url,
    ],
    { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, timeout: 90_000 },
  );
  return stdout;
}

describe('/docs in a browser', () => {
  it('renders every documented operation under a host name that is not localhost', async () => {
    const port = new URL(server.url).port;
    const host = 'streamforge-docs.test';
    const dom = await domOf(`http://${host}:${port}/docs`, host);
    const rendered = new Set([...dom.matchAll(/class="opblock-summary-path" data-path="([^"]+)"/g)].map((m) => m[1]));

    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const documented = Object.keys(spec.paths);
    expect(documented.length).toBeGreaterThan(10);
    expect([...rendered].sort()).toEqual([...documented].sort());
  });
});
