/**
 * A produce request whose Content-Length cannot fit in the admission budget now is refused with
 * 429 before its body is read or parsed (admission.ts): a flood costs the server the headers of
 * each request, not its body. What the body holds is taken from the budget when it is sent
 * (publish.ts); a chunked body, whose length is unknown, is judged there.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { MIN_RECORD_BODY_BYTES } from '../publish/admission.js';
import { tooBusy } from '../publish/publish.js';

const admissionCheck: FastifyPluginCallback = (app, _opts, done) => {
  const s = app.services;
  // every POST of this server produces (the produce, typed-event and gateway routes)
  app.addHook('onRequest', (req, _reply, next) => {
    if (req.method !== 'POST') return next();
    const length = Number(req.headers['content-length'] ?? 0) || 0;
    // the most records a body this long can hold: a flood of 1,000-record bodies was parsed
    // whole, only to be refused, and took the server's CPU from the clients it could serve
    const records = Math.min(s.batchLimit, Math.max(1, Math.floor(length / MIN_RECORD_BODY_BYTES)));
    const query = req.query as { async?: string } | undefined;
    const who = query?.async === 'true' || query?.async === '' ? 'async' : 'waits';
    const refusal = s.admission.roomFor(length, records, who);
    if (refusal) return next(tooBusy(s, refusal));
    next();
  });
  done();
};

export default fp(admissionCheck, { name: 'streamforge-admission-check', decorators: { fastify: ['services'] } });
