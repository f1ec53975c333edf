/**
 * The records of the idempotency topics, as bytes: a claim or a release in the claims topic, an
 * answer in the answers topic, each keyed by the Idempotency-Key. JSON with a version, so that a
 * later serve-producer can read what an earlier one wrote; a record that is not one of these is
 * skipped (a replica never stops reading its table over one bad record). Pure.
 */
import type { Answer, Claim } from './key-table.js';

const VERSION = 1;

export type ClaimsRecord = { readonly kind: 'claim'; readonly claim: Claim } | { readonly kind: 'release'; readonly nonce: string };

export function encodeClaim(claim: Claim): string {
  return JSON.stringify({ v: VERSION, claim: 1, fp: claim.fp, owner: claim.owner, nonce: claim.nonce, at: claim.at, over: claim.over });
}

export function encodeRelease(nonce: string): string {
  return JSON.stringify({ v: VERSION, release: 1, nonce });
}

export function encodeAnswer(answer: Answer): string {
  return JSON.stringify({
    v: VERSION,
    fp: answer.fp,
    status: answer.status,
    type: answer.contentType,
    body: answer.body,
    at: answer.at,
    nonce: answer.nonce,
  });
}

type Fields = Record<string, unknown>;

function fieldsOf(value: Buffer | null): Fields | undefined {
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && (parsed as Fields).v === VERSION ? (parsed as Fields) : undefined;
  } catch {
    return undefined;
  }
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function decodeClaimsRecord(value: Buffer | null): ClaimsRecord | undefined {
  const f = fieldsOf(value);
  if (!f || !isText(f.nonce)) return undefined;
  if (f.release === 1) return { kind: 'release', nonce: f.nonce };
  if (f.claim !== 1 || !isText(f.fp) || !isText(f.owner) || !isTime(f.at)) return undefined;
  if (f.over !== undefined && !isText(f.over)) return undefined;
  const claim: Claim = { fp: f.fp, owner: f.owner, nonce: f.nonce, at: f.at, ...(isText(f.over) ? { over: f.over } : {}) };
  return { kind: 'claim', claim };
}

export function decodeAnswer(value: Buffer | null): Answer | undefined {
  const f = fieldsOf(value);
  if (!f || !isText(f.fp) || !isText(f.nonce) || !isText(f.type) || !isText(f.body) || !isTime(f.at)) return undefined;
  if (typeof f.status !== 'number' || !Number.isInteger(f.status) || f.status < 200 || f.status > 599) return undefined;
  return { fp: f.fp, status: f.status, contentType: f.type, body: f.body, at: f.at, nonce: f.nonce };
}
