/** gateway/record-bytes.ts: a gateway record's key, value and headers as the bytes Kafka stores. */
import { describe, expect, it } from '@jest/globals';
import { recordBytes, recordHeaders } from '../../../../src/http/gateway/record-bytes.js';

describe('recordBytes', () => {
  it('JSON as its text, BINARY decoded, STRING as it is; null as no bytes at all', () => {
    expect(recordBytes({ a: [1, 'é'] }, 'JSON', 'value')?.toString()).toBe('{"a":[1,"é"]}');
    expect(recordBytes(Buffer.from([0, 255, 10]).toString('base64'), 'BINARY', 'value')).toEqual(Buffer.from([0, 255, 10]));
    expect(recordBytes('héllo', 'STRING', 'key')?.toString()).toBe('héllo');
    expect(recordBytes(null, 'BINARY', 'key')).toBeNull();
  });

  it('refuses base64 Node would half-decode, text that is not a string, a lone surrogate: 400 naming the field', () => {
    expect(() => recordBytes('%%==', 'BINARY', 'records[2].value')).toThrow(
      /^records\[2\]\.value: data="%%==" is not a valid base64 string$/,
    );
    expect(() => recordBytes({ a: 1 }, 'STRING', 'value')).toThrow(/must be a string, not an object/);
    expect(() => recordBytes('\ud800', 'STRING', 'key')).toThrow(/lone UTF-16 surrogate/);
  });
});

describe('recordHeaders', () => {
  it('decodes each value; a bad one names its header and index', () => {
    expect(recordHeaders([{ name: 'h', value: Buffer.from('v').toString('base64') }], 'headers')).toEqual([{ h: Buffer.from('v') }]);
    expect(recordHeaders([], 'headers')).toBeUndefined();
    expect(() =>
      recordHeaders(
        [
          { name: 'ok', value: '' },
          { name: 'bad', value: '!!' },
        ],
        'headers',
      ),
    ).toThrow(/headers\[1\]\.value: header "bad" is not a valid base64 string/);
  });
});
