/** Thrown by jsonErrorOffset when the text nests deeper than it was allowed to follow. */
export class JsonTooDeep extends Error {
  constructor(readonly maxDepth: number) {
    super(`JSON nested more than ${maxDepth} levels deep`);
    this.name = 'JsonTooDeep';
  }
}

/**
 * Where a JSON text first goes wrong. V8's messages give a position for some errors and only a
 * snippet for others; this small scanner runs only after JSON.parse has failed, so that every
 * 400 can say "line 3, column 18". It recurses, so it stops (JsonTooDeep) past maxDepth levels
 * instead of overflowing the stack on 20,000 unclosed brackets.
 */
export function jsonErrorOffset(text: string, maxDepth = 256): number {
  const scan = new JsonScanner(text, maxDepth);
  try {
    scan.value();
    scan.ws();
    if (scan.i < text.length) scan.fail();
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
  return -1;
}

/** A recursive descent over JSON's grammar that throws the offset where the text leaves it. */
class JsonScanner {
  i = 0;
  #depth = 0;

  constructor(
    readonly text: string,
    readonly maxDepth: number,
  ) {}

  ws(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i] as string)) this.i++;
  }

  fail(): never {
    throw this.i;
  }

  value(): void {
    this.ws();
    const ch = this.text[this.i];
    if (ch === '{' || ch === '[') {
      if (++this.#depth > this.maxDepth) throw new JsonTooDeep(this.maxDepth);
      if (ch === '{') this.object();
      else this.array();
      this.#depth--;
      return;
    }
    if (ch === '"') return this.string();
    if (ch === 't') return this.literal('true');
    if (ch === 'f') return this.literal('false');
    if (ch === 'n') return this.literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    this.fail();
  }

  literal(word: string): void {
    for (const ch of word) {
      if (this.text[this.i] !== ch) this.fail();
      this.i++;
    }
  }

  string(): void {
    const { text } = this;
    this.i++; // opening quote
    while (this.i < text.length) {
      const ch = text[this.i] as string;
      if (ch === '"') {
        this.i++;
        return;
      }
      if (ch === '\\') this.escape();
      else if (ch < ' ') this.fail();
      else this.i++;
    }
    this.fail();
  }

  /** after a backslash: one of "\/bfnrt, or u and four hex digits */
  escape(): void {
    this.i++;
    const esc = this.text[this.i];
    if (esc === 'u') {
      for (let k = 1; k <= 4; k++) {
        if (!/[0-9a-fA-F]/.test(this.text[this.i + k] ?? '')) {
          this.i += k;
          this.fail();
        }
      }
      this.i += 5;
    } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) this.i++;
    else this.fail();
  }

  number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!m || m[0] === '-' || m[0] === '') this.fail();
    this.i += (m as RegExpExecArray)[0].length;
  }

  object(): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === '}') return void this.i++;
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.fail();
      this.string();
      this.ws();
      if (this.text[this.i] !== ':') this.fail();
      this.i++;
      this.value();
      if (this.#closes('}')) return;
    }
  }

  array(): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') return void this.i++;
    for (;;) {
      this.value();
      if (this.#closes(']')) return;
    }
  }

  /** after a member: a comma goes on (false), the closing bracket ends the container (true) */
  #closes(close: '}' | ']'): boolean {
    this.ws();
    if (this.text[this.i] === ',') {
      this.i++;
      return false;
    }
    if (this.text[this.i] === close) {
      this.i++;
      return true;
    }
    return this.fail();
  }
}

/** "line 3, column 18" for an offset into text */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}
