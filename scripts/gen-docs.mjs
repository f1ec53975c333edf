#!/usr/bin/env node
// Writes the reference pages from the settings tables (src/reference.ts): docs/configuration.md
// and the man page docs/streamforge.1, and the failure table of docs/http-api.md (from errors.ts). Run after `npm run build`; `npm run docs` does both.
// A unit test (test/unit/reference.test.ts) fails when the committed files are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { commands } = await import(join(root, 'dist/commands/index.js'));
const { configurationMarkdown, manPage, withFailureTable } = await import(join(root, 'dist/reference.js'));

for (const [file, text] of [
  ['docs/configuration.md', configurationMarkdown(commands)],
  ['docs/streamforge.1', manPage(commands)],
  ['docs/http-api.md', withFailureTable(readFileSync(join(root, 'docs/http-api.md'), 'utf8'))],
]) {
  writeFileSync(join(root, file), text);
  console.log(`wrote ${file}`);
}
