/**
 * A prom-client registry per process, passed to whoever registers metrics (never the global
 * one: tests build their own), and a small HTTP server for /metrics and the Kubernetes probes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { PortInUseError } from '../errors.js';
import type { Logger } from './logger.js';

export function createRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** A registry's metrics as prom-client gives them (values with labels), e.g. to add up processes. */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Where /metrics comes from: this process's registry, or (serve-producer --workers) every
 * worker's registry added up.
 */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
  json(): Promise<MetricsJson>;
}

export function localMetrics(registry: Registry): MetricsSource {
  return { contentType: registry.contentType, text: () => registry.metrics(), json: () => registry.getMetricsAsJSON() };
}

export interface Probes {
  /** the process is alive and not wedged */
  live(): boolean;
  /** ready for work, e.g. the command reader is positioned */
  ready(): boolean;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: {
  readonly port: number;
  readonly host: string;
  readonly metrics: Pick<MetricsSource, 'contentType' | 'text'>;
  readonly probes: Probes;
  readonly logger: Logger;
  /** the flag or variable that set the port, for the error message */
  readonly setting: string;
  /** what port 0 does for that setting, for the hint (default: turns the endpoint off) */
  readonly portZero?: string;
}): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const probe = (ok: boolean): void => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      opts.metrics.text().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.metrics.contentType });
          res.end(text);
        },
        (err: Error) => {
          opts.logger.error('metrics collection failed', { error: err.message });
          res.writeHead(500).end();
        },
      );
    } else if (path === '/healthz') probe(opts.probes.live());
    else if (path === '/readyz') probe(opts.probes.ready());
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found', endpoints: ['/metrics', '/healthz', '/readyz'] }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(opts.port, opts.setting, opts.portZero) : err),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info('metrics endpoint listening', { port, paths: ['/metrics', '/healthz', '/readyz'] });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
