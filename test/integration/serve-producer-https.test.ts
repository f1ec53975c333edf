/**
 * serve-producer over HTTPS against the real broker, with certificates openssl makes for the
 * test: curl and Node's own client, client certificates required, a renewed certificate taken
 * without a restart and without dropping an open connection.
 */
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { CliProcess, freePort, runCli } from '../support/cli-process.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';
import { makePki, pem, type TestPki } from '../support/tls.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});

async function httpsServer(args: string[]): Promise<{ url: string; proc: CliProcess; port: number }> {
  const port = await freePort();
  const proc = new CliProcess(['serve-producer', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'debug', ...args], {
    ...broker,
  });
  running.push(proc);
  await proc.waitForJson((o) => o.msg === 'serve-producer listening');
  return { url: `https://localhost:${port}`, proc, port };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** the SHA-256 fingerprint of the certificate the server presented */
  fingerprint: string;
  socket: TLSSocket;
}

function call(url: string, opts: { agent?: Agent; cert?: Buffer; key?: Buffer; method?: string; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        ca: pem(pki.caCert),
        ...(opts.agent ? { agent: opts.agent } : { agent: false }),
        ...(opts.cert ? { cert: opts.cert, key: opts.key } : {}),
        headers: opts.body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        // taken at once: the socket leaves the response when it ends
        const socket = res.socket as TLSSocket;
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint, socket }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', ...args], (err, stdout) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

const fingerprintOf = (certPath: string) => new X509Certificate(pem(certPath)).fingerprint256;

describe('serve-producer over HTTPS', () => {
  it('serves curl and Node with client certificates required; a client without one cannot connect; the subject is in the log', async () => {
    const topic = `https-${randomBytes(4).toString('hex')}`;
    await createTopic(broker, topic, 1);
    const server = pki.serverCert('mtls');
    const { url, proc } = await httpsServer(['--tls-cert', server.cert, '--tls-key', server.key, '--tls-client-ca', pki.clientCaCert]);
    const body = JSON.stringify({ topic, key: 'k', message: { via: 'curl' } });
    const ok = await curl([
      '--cacert',
      pki.caCert,
      '--cert',
      pki.clientCert,
      '--key',
      pki.clientKey,
      '-H',
      'content-type: application/json',
      '-d',
      body,
      `${url}/produce`,
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ success: true, topic, offset: 0 });
    // no client certificate: the handshake fails, nothing is served
    const refused = await curl(['--cacert', pki.caCert, `${url}/health`]);
    expect(refused.code).not.toBe(0);
    const node = await call(`${url}/produce`, {
      method: 'POST',
      cert: pem(pki.clientCert),
      key: pem(pki.clientKey),
      body: JSON.stringify({ topic, message: { via: 'node' } }),
    });
    expect(node.status).toBe(200);
    // HSTS only over HTTPS
    expect(node.headers['strict-transport-security']).toMatch(/max-age=/);
    expect((await readTopic(broker, topic)).map((r) => (JSON.parse(r.payload ?? '{}') as { via: string }).via)).toEqual(['curl', 'node']);
    const logged = proc.json().filter((l) => l.msg === 'request' && l.route === '/produce');
    expect(logged.map((l) => l.client)).toEqual(['CN=orders-service', 'CN=orders-service']);
  });

  it('takes a renewed certificate without a restart; an open connection keeps working; a broken renewal keeps the old one', async () => {
    const first = pki.serverCert('first');
    const second = pki.serverCert('second');
    // the files the Secret volume would hold
    const cert = `${pki.dir}/live.crt`;
    const key = `${pki.dir}/live.key`;
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    const { url, proc } = await httpsServer(['--tls-cert', cert, '--tls-key', key, '--tls-reload-interval', '200ms']);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await call(`${url}/health`, { agent });
    expect(before.fingerprint).toBe(fingerprintOf(first.cert));

    // cert-manager renews: key first, then certificate (a moment where they do not match)
    copyFileSync(second.key, key);
    copyFileSync(second.cert, cert);
    await proc.waitForJson((o) => o.msg === 'TLS certificate reloaded');
    const fresh = await call(`${url}/health`, {});
    expect(fresh.fingerprint).toBe(fingerprintOf(second.cert));
    // the connection opened before the renewal is still served, on the same socket
    const again = await call(`${url}/health`, { agent });
    expect(again.status).toBe(200);
    expect(again.socket).toBe(before.socket);
    expect(again.fingerprint).toBe(fingerprintOf(first.cert));
    agent.destroy();

    // (a poll between the two copies above may have found them mismatched: count from here)
    const refusedLine = (o: Record<string, unknown>) => o.msg === 'TLS files changed but do not load; serving the previous certificate';
    const refusedSoFar = proc.json().filter(refusedLine).length;
    writeFileSync(key, 'not a key');
    await proc.waitForJsonLines(refusedLine, refusedSoFar + 1);
    expect((await call(`${url}/health`, {})).fingerprint).toBe(fingerprintOf(second.cert));
  });

  it('refuses half a configuration, or files it cannot use, with exit 2 and what to do', async () => {
    const server = pki.serverCert('half');
    const half = await runCli(['serve-producer', '--tls-cert', server.cert], { ...broker });
    expect(half.code).toBe(2);
    expect(half.stdout + half.stderr).toMatch(/--tls-cert is set without --tls-key/);
    const missing = await runCli(['serve-producer', '--port', '0', '--tls-cert', server.cert, '--tls-key', `${pki.dir}/nope.key`], {
      ...broker,
    });
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toMatch(/--tls-key: cannot read the private key .*nope\.key: ENOENT/);
    const mismatched = await runCli(['serve-producer', '--port', '0', '--tls-cert', server.cert, '--tls-key', pki.clientKey], {
      ...broker,
    });
    expect(mismatched.code).toBe(2);
    expect(mismatched.stdout + mismatched.stderr).toMatch(/do not make a usable pair/);
  });
});
