/**
 * The generated reference pages: the committed docs/configuration.md and docs/streamforge.1 are
 * what the settings tables render today, every flag of every command is in them, and the man
 * page passes groff's own warnings.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { commands } from '../../src/commands/index.js';
import { flagNamesOf } from '../../src/config/setting.js';
import { configurationMarkdown, failureTableMarkdown, manPage, withFailureTable } from '../../src/reference.js';

const root = join(import.meta.dirname, '../..');
const committed = (file: string): string => readFileSync(join(root, file), 'utf8');
const stale = 'is stale: run `npm run docs` and commit the result';

describe('reference pages', () => {
  it('docs/configuration.md is what the settings tables render', () => {
    const want = configurationMarkdown(commands);
    if (committed('docs/configuration.md') !== want) throw new Error(`docs/configuration.md ${stale}`);
  });

  it("docs/http-api.md's failure table is what errors.ts's failureMeanings render", () => {
    const page = committed('docs/http-api.md');
    expect(page).toContain(failureTableMarkdown());
    if (withFailureTable(page) !== page) throw new Error(`docs/http-api.md ${stale}`);
  });

  it('docs/streamforge.1 is what the settings tables render', () => {
    if (committed('docs/streamforge.1') !== manPage(commands)) throw new Error(`docs/streamforge.1 ${stale}`);
  });

  it('lists every flag and variable of every command in both pages', () => {
    const md = configurationMarkdown(commands);
    const man = manPage(commands).replace(/\\-/g, '-');
    for (const c of commands) {
      expect(md).toContain(`## streamforge ${c.name}`);
      for (const s of Object.values(c.settings)) {
        const { long } = flagNamesOf(s);
        if (long) {
          expect(md).toContain(long);
          expect(man).toContain(long);
        }
        if (s.env) {
          expect(md).toContain(`\`${s.env}\``);
          expect(man).toContain(s.env);
        }
      }
    }
  });

  it('keeps every Markdown table row at four cells, whatever the descriptions hold', () => {
    const md = configurationMarkdown(commands);
    const rows = md
      .slice(0, md.indexOf('## Exit codes'))
      .split('\n')
      .filter((l) => l.startsWith('| '));
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) {
      // an unescaped | outside a code span ends a cell
      const cells = row.replace(/\\\|/g, '').split('|').length - 2;
      expect({ row, cells }).toEqual({ row, cells: 4 });
    }
  });

  it('renders a man page groff reads without a warning', () => {
    const out = execFileSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: manPage(commands), encoding: 'utf8', stdio: 'pipe' });
    expect(out).toBe('');
    const text = execFileSync('groff', ['-man', '-Tutf8', '-P-cbou'], { input: manPage(commands), encoding: 'utf8' });
    expect(text).toContain('--bootstrap-servers');
    expect(text).toContain('EXIT STATUS');
  });
});
