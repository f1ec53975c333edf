/**
 * What the single executable carries besides its code, as the build recorded it
 * (scripts/build-binary.mjs writes the `binary.json` asset): node-rdkafka's addon with
 * librdkafka, and Swagger UI's pages. Each group is unpacked to the cache on first use.
 */
import { getAsset } from 'node:sea';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { cacheDir, ensureCached, type CacheReport, type CachedFile } from './asset-cache.js';
import { cacheSetup } from './cache-setup.js';

export interface PackedManifest {
  /** `<version>-<first 12 hex of the files' hashes>`: the cache directory's name */
  readonly build: string;
  readonly addon: readonly CachedFile[];
  readonly swaggerUi: readonly CachedFile[];
}

/** where node-rdkafka's addon lies among the addon group's files */
export const ADDON_PATH = 'addon/build/Release/node-librdkafka.node';

const manifest = (): PackedManifest => JSON.parse(getAsset('binary.json', 'utf8')) as PackedManifest;

/** Writes a group's files to the cache where needed and returns the cache directory. */
export function unpack(group: 'addon' | 'swaggerUi'): string {
  const m = manifest();
  const setup = cacheSetup();
  const dir = cacheDir(setup.env, m.build);
  let report: CacheReport;
  try {
    report = ensureCached(dir, m[group], (path) => new Uint8Array(getAsset(path)));
  } catch (err) {
    throw new ConfigError(
      `cannot write the executable's native files to ${dir}: ${(err as Error).message}`,
      'set XDG_CACHE_HOME to a writable directory (on a read-only root file system, an emptyDir)',
    );
  }
  for (const path of report.repaired)
    setup.warn(`streamforge: ${join(report.dir, path)} did not match its SHA-256 and was written again\n`);
  return report.dir;
}

/** node-rdkafka's addon, opened from the cache: what `require('bindings')('node-librdkafka')` returns. */
export function loadAddon(): unknown {
  const addon = { exports: {} };
  // librdkafka is found beside it: the addon's RUNPATH is $ORIGIN/../deps
  process.dlopen(addon, join(unpack('addon'), ADDON_PATH));
  return addon.exports;
}
