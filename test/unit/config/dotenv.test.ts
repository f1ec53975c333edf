/** dotenv.ts: a .env file's variables. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readDotenv } from '../../../src/config/dotenv.js';

describe('.env files', () => {
  it("reads the working directory's .env without touching process.env", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-dotenv-'));
    writeFileSync(join(dir, '.env'), '# comment\nQUEUE_ID=from-file\nKAFKA_PASSWORD="quoted secret"\n');
    expect(await readDotenv(dir)).toEqual({ QUEUE_ID: 'from-file', KAFKA_PASSWORD: 'quoted secret' });
    expect(process.env.QUEUE_ID).toBeUndefined();
  });

  it('treats a missing .env as empty', async () => {
    expect(await readDotenv(mkdtempSync(join(tmpdir(), 'sf-dotenv-')))).toEqual({});
  });
});
