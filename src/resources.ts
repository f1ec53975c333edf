/**
 * The files the program reads besides its code: package.json (the version) and the JSON schemas.
 * From a checkout or the npm package they sit beside dist/; in the single executable they are
 * assets inside it (node:sea), because it runs where neither exists (docs/install.md).
 */
import { readFileSync } from 'node:fs';
import { getAsset, isSea } from 'node:sea';

/** Whether this process is the single executable (dist/streamforge-linux-x64). */
export const inBinary = (): boolean => isSea();

/** A text file of the package, by its path in the package: `package.json`, `schemas/x.schema.json`. */
export function readPackageFile(path: string): string {
  // import.meta is empty in the executable's CommonJS bundle: only read it outside
  if (inBinary()) return getAsset(path, 'utf8');
  return readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
}
