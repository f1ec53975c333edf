/** The single executable's cache of files it must open from a disk: written once, checked by hash. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { cacheDir, ensureCached, sha256 } from '../../../src/binary/asset-cache.js';

const files = { 'addon/lib.so': Buffer.from('a shared library'), 'addon/x.node': Buffer.from('an addon') };
const listed = Object.entries(files).map(([path, bytes]) => ({ path, sha256: sha256(bytes), executable: true }));

describe('ensureCached', () => {
  it('writes missing files once, and leaves whole ones alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-cache-'));
    let reads = 0;
    const read = (path: string): Uint8Array => (reads++, files[path as keyof typeof files]);
    expect(ensureCached(dir, listed, read)).toEqual({ dir, written: ['addon/lib.so', 'addon/x.node'], repaired: [] });
    expect(readFileSync(join(dir, 'addon/x.node'), 'utf8')).toBe('an addon');
    expect(statSync(join(dir, 'addon/x.node')).mode & 0o777).toBe(0o755);
    expect(ensureCached(dir, listed, read)).toEqual({ dir, written: [], repaired: [] });
    expect(reads).toBe(2);
  });

  it('writes again a file whose bytes changed, even at the same length', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-cache-'));
    ensureCached(dir, listed, (p) => files[p as keyof typeof files]);
    writeFileSync(join(dir, 'addon/x.node'), 'an addoN');
    expect(ensureCached(dir, listed, (p) => files[p as keyof typeof files]).repaired).toEqual(['addon/x.node']);
    expect(readFileSync(join(dir, 'addon/x.node'), 'utf8')).toBe('an addon');
  });

  it('refuses to write what does not match the recorded hash (a damaged executable)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-cache-'));
    expect(() => ensureCached(dir, listed, () => Buffer.from('something else'))).toThrow(/does not match its recorded hash/);
  });
});

describe('cacheDir', () => {
  it('is XDG_CACHE_HOME, else ~/.cache, else the temp directory, one directory per build', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }, '0.1.0-abc')).toBe('/x/streamforge/0.1.0-abc');
    expect(cacheDir({ HOME: '/h' }, '0.1.0-abc')).toBe('/h/.cache/streamforge/0.1.0-abc');
    expect(cacheDir({}, 'b')).toBe(join(tmpdir(), 'streamforge', 'b'));
  });
});
