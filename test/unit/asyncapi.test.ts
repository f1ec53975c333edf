/**
 * docs/asyncapi.yaml, read by the AsyncAPI project's own parser: a valid AsyncAPI 3.0 document
 * with no error, both channels, payloads that are the files in schemas/ (referenced, not
 * copied), and examples that streamforge's own validators accept.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { fromFile, Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import { validators } from '../../src/protocol/validators.js';

const root = join(import.meta.dirname, '../..');
const file = join(root, 'docs/asyncapi.yaml');
let document: AsyncAPIDocumentInterface;
/** A payload in the multi-format form (schemaFormat + schema): the JSON Schema itself. */
const schemaOf = (payload: unknown): { $id?: string } | undefined => (payload as { schema?: { $id?: string } } | undefined)?.schema;

beforeAll(async () => {
  const { document: parsed, diagnostics } = await fromFile(new Parser(), file).parse();
  // 0 error, 1 warning; 2 and 3 are information and hints (such as "3.1.0 exists")
  const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
  expect(problems).toEqual([]);
  if (!parsed) throw new Error('the parser returned no document');
  document = parsed;
});

describe('docs/asyncapi.yaml', () => {
  it('is AsyncAPI 3.0 with the control and events channels at their default addresses', () => {
    expect(document.version()).toBe('3.0.0');
    expect(
      Object.fromEntries(
        document
          .channels()
          .all()
          .map((c) => [c.id(), c.address()]),
      ),
    ).toEqual({
      control: 'queue-control',
      events: 'queue-events',
    });
  });

  it('takes every payload from schemas/, unchanged', () => {
    const fromSchemas = (name: string) => JSON.parse(readFileSync(join(root, 'schemas', `${name}.schema.json`), 'utf8')) as { $id: string };
    const payloadIds = Object.fromEntries(
      document
        .messages()
        .all()
        .map((m) => [m.id(), schemaOf(m.payload()?.json())?.$id]),
    );
    expect(payloadIds).toEqual({
      command: fromSchemas('command').$id,
      status: fromSchemas('event').$id,
      pong: fromSchemas('event').$id,
    });
    // the command's schema refers to no other file: resolved, it is the file itself
    // (less the ids the parser adds to every schema it walks)
    const resolved = JSON.parse(JSON.stringify(schemaOf(document.messages().get('command')?.payload()?.json())), (key, value: unknown) =>
      key === 'x-parser-schema-id' ? undefined : value,
    ) as unknown;
    expect(resolved).toEqual(fromSchemas('command'));
  });

  it("has examples streamforge's own validators accept, for every message", () => {
    const v = validators();
    let checked = 0;
    for (const message of document.messages().all()) {
      const validate = message.id() === 'command' ? v.command : v.event;
      for (const example of message.examples().all()) {
        const payload = example.payload();
        expect({ message: message.id(), example: example.name(), valid: validate(payload), errors: validate.errors ?? null }).toEqual({
          message: message.id(),
          example: example.name(),
          valid: true,
          errors: null,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });
});
