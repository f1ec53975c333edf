import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import {
  answerClientError,
  clientErrorOf,
  readTimeout,
  requestTimedOut,
  routerErrorOf,
} from '../../../../src/http/errors/client-errors.js';

/** A socket stand-in: what was written, and whether it was ended or destroyed. */
function socket(httpMessage?: { headersSent: boolean; req: { url: string } }) {
  const s = new PassThrough() as PassThrough & { _httpMessage?: unknown };
  if (httpMessage) s._httpMessage = httpMessage;
  let written = '';
  s.on('data', (d: Buffer) => (written += d.toString()));
  return { s, written: () => written };
}

describe("Node's and the router's refusals", () => {
  it('say what and why, never echoing the input', () => {
    expect(clientErrorOf('ERR_HTTP_REQUEST_TIMEOUT', 5000)).toMatchObject({ statusCode: 408, code: 'SF_HTTP_TIMEOUT' });
    expect(clientErrorOf('HPE_HEADER_OVERFLOW', 5000)).toMatchObject({ statusCode: 431, code: 'SF_HTTP_TOO_LARGE' });
    expect(clientErrorOf('HPE_INVALID_METHOD', 5000)).toMatchObject({ statusCode: 400 });
    expect(routerErrorOf('FST_ERR_MAX_PARAM_LENGTH')).toMatchObject({ statusCode: 414, message: expect.stringContaining('249') });
    expect(routerErrorOf('FST_ERR_BAD_URL')).toMatchObject({ statusCode: 400 });
    expect(readTimeout(5000, 3).message).toBe(
      'the request was not received within --read-timeout (5000 ms): the stream ends here; the 3 records before this report were sent, each as its own report says',
    );
    expect(readTimeout(5000, 1).message).toContain('the 1 record before');
  });

  it("a request timeout before any answer: a 408 in the family's shape, then the close", async () => {
    const { s, written } = socket({ headersSent: false, req: { url: '/v3/clusters/c/topics/t/records' } });
    const ended = new Promise((r) => s.once('finish', r));
    answerClientError(requestTimedOut(), s, 5000);
    await ended;
    expect(written()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\nContent-Type: application\/json\r\n/);
    expect(written()).toContain('Connection: close');
    expect(JSON.parse(written().split('\r\n\r\n')[1] ?? '')).toMatchObject({ error_code: 408 });
  });

  it('an answer already begun is never written into: the connection is cut', () => {
    const { s, written } = socket({ headersSent: true, req: { url: '/produce' } });
    answerClientError(requestTimedOut(), s, 5000);
    expect(s.destroyed).toBe(true);
    expect(written()).toBe('');
  });

  it('headers too large: the family from the request line Node had read', async () => {
    const { s, written } = socket();
    const ended = new Promise((r) => s.once('finish', r));
    answerClientError(
      Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from('GET /topics/x HTTP/1.1\r\nX: y') }),
      s,
      5000,
    );
    await ended;
    expect(written()).toMatch(/^HTTP\/1\.1 431 .*\r\nContent-Type: application\/vnd\.kafka\.v2\+json/);
  });
});
