/**
 * Files the single executable carries but the operating system must open from a disk: the
 * node-rdkafka addon and librdkafka (dlopen takes a path) and Swagger UI's pages. They are
 * written once to a directory per build, and every file found there is checked against the
 * SHA-256 recorded when the executable was built: a file that is missing, cut short or
 * altered is written again before it is used.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface CachedFile {
  /** where the file goes, relative to the cache directory */
  readonly path: string;
  readonly sha256: string;
  readonly executable?: boolean;
}

export interface CacheReport {
  readonly dir: string;
  /** files that were missing, and were written */
  readonly written: readonly string[];
  /** files that were there but did not match their hash (damaged, altered), and were written again */
  readonly repaired: readonly string[];
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * `$XDG_CACHE_HOME/streamforge/<build>`, else `~/.cache/...` when HOME is set, else the temp
 * directory: one directory per build, so two versions side by side never share a file.
 */
export function cacheDir(env: Readonly<Record<string, string | undefined>>, build: string): string {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : tmpdir());
  return join(base, 'streamforge', build);
}

function matches(file: string, want: string): boolean {
  try {
    return sha256(readFileSync(file)) === want;
  } catch {
    return false;
  }
}

/**
 * Makes sure every file is in `dir` with its recorded hash; `read` gives a file's bytes (from the
 * executable) only when it has to be written. Another process may be doing the same at the same
 * moment: each writes a temporary file and renames it into place, so a reader sees a whole file.
 */
export function ensureCached(dir: string, files: readonly CachedFile[], read: (path: string) => Uint8Array): CacheReport {
  const written: string[] = [];
  const repaired: string[] = [];
  for (const f of files) {
    const target = join(dir, f.path);
    const present = existsSync(target);
    if (present && matches(target, f.sha256)) continue;
    const bytes = read(f.path);
    if (sha256(bytes) !== f.sha256)
      throw new Error(`the executable's copy of ${f.path} does not match its recorded hash: the file is damaged`);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes, { mode: f.executable ? 0o755 : 0o644 });
    if (f.executable) chmodSync(temporary, 0o755);
    renameSync(temporary, target);
    (present ? repaired : written).push(f.path);
  }
  return { dir, written, repaired };
}
