/**
 * The `.env` file of the working directory, read but never merged into process.env: the
 * resolver needs to know which values came from it, and the environment must win over it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/** Async only so that `dotenv` loads when a command runs, not for `--help`. */
export async function readDotenv(cwd: string): Promise<Record<string, string>> {
  const path = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, 'fix the file permissions or remove the file');
  }
  const { parse } = await import('dotenv');
  return parse(text);
}
