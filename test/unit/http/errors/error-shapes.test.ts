import { describe, expect, it } from '@jest/globals';
import { HttpError } from '../../../../src/errors.js';
import { errorAnswer, errorFormatOfPath } from '../../../../src/http/errors/error-shapes.js';

describe('error shapes', () => {
  it('a path names its family: v2 under /topics and /consumers, v3 under /v3, ours elsewhere', () => {
    expect(
      ['/topics', '/topics/t', '/topics?x=1', '/consumers/g', '/v3/clusters', '/v3', '/produce', '/topicsx', '/v3x', '/'].map(
        errorFormatOfPath,
      ),
    ).toEqual([
      'kafka-rest-v2',
      'kafka-rest-v2',
      'kafka-rest-v2',
      'kafka-rest-v2',
      'kafka-rest-v3',
      'kafka-rest-v3',
      'streamforge',
      'streamforge',
      'streamforge',
      'streamforge',
    ]);
  });

  it("answers in each family's shape and content type", () => {
    const err = new HttpError(414, 'SF_HTTP_TOO_LARGE', 'too long', 'shorter');
    expect(errorAnswer(err, 'kafka-rest-v2')).toEqual({
      contentType: 'application/vnd.kafka.v2+json',
      body: { error_code: 414, message: 'too long (shorter)' },
    });
    expect(errorAnswer(err, 'kafka-rest-v3')).toEqual({
      contentType: 'application/json',
      body: { error_code: 414, message: 'too long (shorter)' },
    });
    expect(errorAnswer(err, 'streamforge').body).toEqual({
      success: false,
      detail: 'too long',
      error: { code: 'SF_HTTP_TOO_LARGE', message: 'too long', hint: 'shorter' },
    });
  });
});
