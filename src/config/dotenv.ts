/**
 * The `.env` file of the working directory, read but never merged into process.env: the
 * resolver needs to know which values came from it, and the environment must win over it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from '../errors.js';

export function readDotenv(cwd: string): Record<string, string> {
  const path = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, 'fix the file permissions or remove the file');
  }
  return parse(text);
}
