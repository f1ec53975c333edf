/**
 * Certificates made for a test with openssl (an independent tool): a CA, server certificates for
 * localhost signed by it, and a client certificate signed by a second CA (the one the server is
 * told to trust for clients).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly clientCaCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** a new server certificate for localhost, signed by the CA: its cert and key paths */
  serverCert(name: string, cn?: string): { cert: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ca(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

function signed(dir: string, caName: string, name: string, cn: string, ext: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  const extFile = join(dir, `${name}.ext`);
  execFileSync('sh', ['-c', `printf '%s\\n' '${ext}' > '${extFile}'`]);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      '-extfile',
      extFile,
    ],
    dir,
  );
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'streamforge-pki-'));
  ca(dir, 'server-ca');
  ca(dir, 'client-ca');
  signed(dir, 'client-ca', 'client', 'orders-service', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    caCert: join(dir, 'server-ca.crt'),
    clientCaCert: join(dir, 'client-ca.crt'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    serverCert(name, cn = 'localhost') {
      signed(dir, 'server-ca', name, cn, 'subjectAltName=DNS:localhost,IP:127.0.0.1');
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
  };
}

export const pem = (path: string): Buffer => readFileSync(path);
