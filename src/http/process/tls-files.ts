/**
 * serve-producer's HTTPS material: a PEM certificate chain and key, and optionally the CA that
 * client certificates must chain to, read from files and read again when they change.
 * cert-manager renews certificates by rewriting a Kubernetes Secret, which the kubelet swaps
 * into the pod's volume behind a symlink; the files are polled by content (a stat would miss a
 * swap that keeps the modification time), and a new pair that does not load leaves the current
 * one in place. New handshakes get the new pair (setSecureContext); open connections keep
 * theirs, so none is dropped.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../../errors.js';

export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  /** client certificates are required and must chain to this CA */
  readonly clientCaPath?: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  /** a digest of the three files, to notice a change */
  readonly digest: string;
  /** the leaf certificate's subject and expiry, for the log */
  readonly subject: string;
  readonly validTo: string;
}

function readPem(path: string, what: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(
      `${setting}: cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      `point ${setting} at a readable PEM file`,
    );
  }
}

/** The files' contents, checked to form a usable pair; throws a ConfigError saying which file and why. */
export function loadTls(files: TlsFiles): TlsMaterial {
  const cert = readPem(files.certPath, 'certificate', '--tls-cert');
  const key = readPem(files.keyPath, 'private key', '--tls-key');
  const ca = files.clientCaPath === undefined ? undefined : readPem(files.clientCaPath, 'client CA', '--tls-client-ca');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (err) {
    throw new ConfigError(
      `--tls-cert: ${files.certPath} is not a PEM certificate (${(err as Error).message})`,
      'give the certificate chain in PEM, leaf first',
    );
  }
  try {
    // the key must match the certificate, and the CA parse: a server that cannot shake hands
    // must not start, nor replace a working pair
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (err) {
    throw new ConfigError(
      `--tls-cert / --tls-key: ${files.certPath} and ${files.keyPath} do not make a usable pair (${(err as Error).message})`,
      'give the private key of that certificate, both in PEM',
    );
  }
  const digest = createHash('sha256')
    .update(cert)
    .update('\0')
    .update(key)
    .update('\0')
    .update(ca ?? '')
    .digest('hex');
  return { cert, key, ...(ca ? { ca } : {}), digest, subject: leaf.subject.replaceAll('\n', ', '), validTo: leaf.validTo };
}

/**
 * Polls the files every `everyMs`; calls `apply` with material that changed and loads, `refused`
 * with the error of material that changed and does not. Returns a stop function.
 */
export function watchTls(
  files: TlsFiles,
  current: TlsMaterial,
  everyMs: number,
  handlers: { apply: (m: TlsMaterial) => void; refused: (err: Error) => void },
): () => void {
  let digest = current.digest;
  let lastRefused = '';
  const timer = setInterval(() => {
    let next: TlsMaterial;
    try {
      next = loadTls(files);
    } catch (err) {
      // said once per distinct problem, not every poll (a half-written Secret settles quickly)
      const message = (err as Error).message;
      if (message !== lastRefused) handlers.refused(err as Error);
      lastRefused = message;
      return;
    }
    lastRefused = '';
    if (next.digest === digest) return;
    digest = next.digest;
    handlers.apply(next);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
