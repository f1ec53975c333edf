/**
 * Every JSON request body, on every route, goes through here: parsed once, then refused when it
 * is nested deeper than MAX_JSON_DEPTH (serialising such a value overflows the stack, which
 * would be a 500) or carries a prototype-poisoning key in any spelling (`\u005f_proto__` is
 * `__proto__` once parsed, so the check looks at parsed keys, not at the text).
 */
import { HttpError } from '../errors.js';
import { jsonErrorOffset, lineAndColumn, JsonTooDeep } from './json-error-position.js';

/** Deeper than any event a pipeline sends; far below what overflows the stack (about 4,500). */
export const MAX_JSON_DEPTH = 256;

// The escape-aware prefilter secure-json-parse uses: text that cannot spell the keys skips the walk.
const mayPoison =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"|"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"/;

export type JsonBodyProblem = { kind: 'depth' } | { kind: 'poison'; key: string; path: string };

/**
 * The first problem in a parsed body, or undefined. Iterative, so no body can overflow the
 * stack here; it walks only when the text could nest that deep or spell a forbidden key.
 */
export function inspectJsonBody(value: unknown, text: string): JsonBodyProblem | undefined {
  // nesting deeper than N takes more than N opening and N closing characters
  const checkDepth = text.length > 2 * MAX_JSON_DEPTH;
  const checkKeys = mayPoison.test(text);
  if (!checkDepth && !checkKeys) return undefined;
  const stack: Array<{ node: unknown; depth: number; path: string }> = [{ node: value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop() as { node: unknown; depth: number; path: string };
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= MAX_JSON_DEPTH) return { kind: 'depth' };
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) stack.push({ node: node[i], depth: depth + 1, path: checkKeys ? `${path}[${i}]` : '' });
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      const at = checkKeys ? (path === '' ? key : `${path}.${key}`) : '';
      if (checkKeys && key === '__proto__') return { kind: 'poison', key, path: at };
      if (checkKeys && key === 'constructor' && typeof child === 'object' && child !== null && 'prototype' in child)
        return { kind: 'poison', key: 'constructor.prototype', path: at };
      stack.push({ node: child, depth: depth + 1, path: at });
    }
  }
  return undefined;
}

const badJson = (message: string, hint: string): HttpError => new HttpError(400, 'SF_HTTP_BAD_JSON', message, hint);

function tooDeep(): HttpError {
  return badJson(
    `the body is nested more than ${MAX_JSON_DEPTH} levels deep`,
    `flatten the structure: objects and arrays may nest at most ${MAX_JSON_DEPTH} levels`,
  );
}

/** "Unexpected token '}' ... (at position 26: line 1, column 27)" */
function whereJsonBroke(text: string, err: Error): string {
  const offset = jsonErrorOffset(text, MAX_JSON_DEPTH);
  if (offset < 0) return err.message;
  const { line, column } = lineAndColumn(text, offset);
  return `${err.message} (at position ${offset}: line ${line}, column ${column})`;
}

/** The body's value, or the 400 that says what is wrong with it. */
export function parseJsonBody(text: string): { value: unknown } | { error: HttpError } {
  if (text.trim() === '') return { error: badJson('the body is empty, but the content type says JSON', 'send a JSON body') };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    try {
      return { error: badJson(`the body is not valid JSON: ${whereJsonBroke(text, err as Error)}`, 'fix the JSON at the place given') };
    } catch (deep) {
      if (deep instanceof JsonTooDeep) return { error: tooDeep() };
      throw deep;
    }
  }
  const problem = inspectJsonBody(value, text);
  if (problem === undefined) return { value };
  if (problem.kind === 'depth') return { error: tooDeep() };
  return {
    error: badJson(
      `the body has a forbidden key ${problem.key} at ${problem.path} (prototype poisoning)`,
      'rename the field: __proto__ and constructor.prototype keys are refused in every spelling',
    ),
  };
}
