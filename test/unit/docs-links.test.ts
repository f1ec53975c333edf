/**
 * The user's documents stand alone: every link in README.md and docs/*.md is relative, resolves
 * to a file inside the repository, and its #anchor (in this file or another Markdown file) names
 * a heading that exists, slugged as GitHub slugs it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const root = resolve(import.meta.dirname, '../..');
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without its fenced code blocks and code spans: links there are text, not links. */
const prose = (text: string): string => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (heading as string)
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function linksOf(markdown: string): string[] {
  const text = prose(markdown);
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g), ...text.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] as string);
}

describe('links in README.md and docs/', () => {
  it('finds the documents and their links', () => {
    expect(documents).toEqual(expect.arrayContaining(['README.md', 'docs/protocol.md', 'docs/configuration.md']));
    expect(documents.flatMap((d) => linksOf(readFileSync(join(root, d), 'utf8'))).length).toBeGreaterThan(20);
  });

  it.each(documents)('%s: every link stays inside the repository and resolves', (doc) => {
    const source = join(root, doc);
    const problems: string[] = [];
    for (const link of linksOf(readFileSync(source, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) {
        problems.push(`${link}: leaves the repository (write what the reader needs here instead)`);
        continue;
      }
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? source : resolve(dirname(source), decodeURIComponent(path));
      if (relative(root, target).startsWith('..')) {
        problems.push(`${link}: outside the repository`);
        continue;
      }
      if (!existsSync(target)) {
        problems.push(`${link}: no such file`);
        continue;
      }
      if (anchor !== undefined) {
        if (!target.endsWith('.md') || statSync(target).isDirectory()) {
          problems.push(`${link}: an anchor into a file that is not Markdown`);
        } else if (!anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
          problems.push(`${link}: no heading with the id #${anchor} in ${relative(root, target)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect([...anchorsOf("## Coming from debug_producer.py / dummy-service\n## A service's life\n## Tests\n## Tests\n")]).toEqual([
      'coming-from-debug_producerpy--dummy-service',
      'a-services-life',
      'tests',
      'tests-1',
    ]);
  });
});
