/**
 * What makes parsed JSON unsafe to handle: nesting deeper than MAX_JSON_DEPTH (serialising it
 * overflows the stack) and prototype-poisoning keys in any spelling (`\u005f_proto__` is
 * `__proto__` once parsed, so the check looks at parsed keys, not at the text).
 */

/** Deeper than any event a pipeline sends; far below what overflows the stack (about 4,500). */
export const MAX_JSON_DEPTH = 256;

// The escape-aware prefilter secure-json-parse uses: text that cannot spell the keys skips the walk.
const mayPoison =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"|"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"/;

export type JsonBodyProblem = { kind: 'depth' } | { kind: 'poison'; key: string; path: string };

/**
 * The first problem in a parsed body, or undefined. Iterative, so no body can overflow the
 * stack here; it walks only when the text could nest that deep or spell a forbidden key. Only
 * objects and arrays are stacked, as parallel arrays (no object per node): a batch of 100
 * items is over the depth pre-check's length and is walked on every request.
 */
export function inspectJson(value: unknown, text: string): JsonBodyProblem | undefined {
  // nesting deeper than N takes more than N opening and N closing characters
  const checkDepth = text.length > 2 * MAX_JSON_DEPTH;
  const checkKeys = mayPoison.test(text);
  if (!checkDepth && !checkKeys) return undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const nodes: object[] = [value];
  const depths: number[] = [0];
  // a path is only built when a key may be forbidden: it is what the 400 names
  const paths: string[] = [''];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    const path = checkKeys ? (paths.pop() as string) : '';
    if (depth >= MAX_JSON_DEPTH) return { kind: 'depth' };
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child !== 'object' || child === null) continue;
        nodes.push(child);
        depths.push(depth + 1);
        if (checkKeys) paths.push(`${path}[${i}]`);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (checkKeys) {
        const at = path === '' ? key : `${path}.${key}`;
        if (key === '__proto__') return { kind: 'poison', key, path: at };
        if (key === 'constructor' && typeof child === 'object' && child !== null && 'prototype' in child)
          return { kind: 'poison', key: 'constructor.prototype', path: at };
        if (typeof child === 'object' && child !== null) paths.push(at);
      }
      if (typeof child !== 'object' || child === null) continue;
      nodes.push(child);
      depths.push(depth + 1);
    }
  }
  return undefined;
}

/**
 * The `json-object` string format of the schemas (typed events' `data` as text, as the Go
 * service took it): the JSON text of an object that is safe to handle.
 */
export function isJsonObjectText(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) && inspectJson(value, text) === undefined;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant of an RFC 3339 date-time (JSON Schema's `date-time`), in ms since the epoch, or
 * NaN. Checked field by field: Date.parse takes February 30 for March 2, and refuses the leap
 * second (23:59:60) that RFC 3339 allows, which here counts as the next second.
 */
export function dateTimeMs(text: string): number {
  const m = DATE_TIME.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const fraction = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  const offsetMin = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offsetMin * 60_000;
}

/** Formats for every ajv instance that compiles the schemas in schemas/. */
export const jsonFormats = {
  'json-object': isJsonObjectText,
  'date-time': (text: string) => !Number.isNaN(dateTimeMs(text)),
  // OpenAPI's base64 (RFC 4648, the standard alphabet, padded or not)
  byte: (text: string) => BASE64.test(text),
} as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Whether a string is base64 as the gateways decode it: Node's decoder skips what is not. */
export function isBase64(text: string): boolean {
  return BASE64.test(text);
}
