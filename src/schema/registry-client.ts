/**
 * A Confluent-compatible Schema Registry's REST API, as far as producing needs it: register a
 * schema under a subject, a schema by id, a subject's latest version. Works against Confluent's
 * registry and Apicurio's ccompat API alike. Cached as Confluent's clients cache: an id's schema
 * never changes (kept for good), a schema registered once keeps its id, and a subject's latest
 * version is asked again after `latestTtlMs`; a registry outage leaves what is cached working.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface RegisteredSchema {
  readonly id: number;
  readonly schema: string;
  readonly schemaType: SchemaType;
  readonly subject?: string;
  readonly version?: number;
}

export interface RegistryClientOptions {
  /** the API's root, e.g. http://registry:8081 or http://apicurio:8080/apis/ccompat/v7 */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** PEM: the CA that signed an HTTPS registry's certificate */
  readonly ca?: string | Buffer;
  readonly timeoutMs: number;
  /** how long a subject's latest version is trusted before it is asked again */
  readonly latestTtlMs: number;
  readonly now?: () => number;
}

/** What the registry answered when it did not give what was asked, with its error_code. */
export class RegistryError extends Error {
  constructor(
    message: string,
    /** the HTTP status, or 0 when the registry could not be reached or did not answer in time */
    readonly status: number,
    /** the registry's own error_code (40401 subject not found, 42201 invalid schema, 409...), or 0 */
    readonly errorCode: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  /** The registry was not reached, or did not answer in time: nothing about the schema is known. */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** registered schemas remembered (the oldest forgotten first: asked again if used again) */
const MAX_REMEMBERED = 10_000;

/** tries again of a registration the registry refused as a race (#registerOnce): 20 ms to 320 ms apart */
const RACE_RETRIES = 5;

interface SubjectVersion {
  readonly id: number;
  readonly schema: string;
  readonly schemaType?: SchemaType;
  readonly version: number;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export class RegistryClient {
  readonly #opts: RegistryClientOptions;
  readonly #root: URL;
  readonly #byId = new Map<number, RegisteredSchema>();
  readonly #registered = new Map<string, number>();
  readonly #versions = new Map<string, RegisteredSchema>();
  readonly #pending = new Map<string, Promise<{ id: number }>>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #latest = new Map<string, { readonly schema: RegisteredSchema; readonly at: number }>();

  constructor(opts: RegistryClientOptions) {
    this.#opts = opts;
    this.#root = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
  }

  /** The schema with this id (ids are immutable: asked once). */
  async byId(id: number): Promise<RegisteredSchema> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    const body = (await this.#call('GET', `schemas/ids/${id}`)) as { schema: string; schemaType?: SchemaType };
    const schema: RegisteredSchema = { id, schema: body.schema, schemaType: body.schemaType ?? 'AVRO' };
    this.#byId.set(id, schema);
    return schema;
  }

  /** Registers `schema` under `subject` (or finds it registered): its id. */
  async register(subject: string, schema: string, schemaType: SchemaType): Promise<number> {
    const key = `${subject}\u0000${schemaType}\u0000${schema}`;
    const cached = this.#registered.get(key);
    if (cached !== undefined) return cached;
    // the first requests of a burst with a new schema share one registration
    let pending = this.#pending.get(key);
    if (!pending) {
      // Registrations go one at a time: they are rare (once per schema and process), and
      // Apicurio 2.4's storage fails concurrent first writes (500 "Timeout trying to lock
      // table", or 409 "already exists") where one after another succeed.
      pending = this.#queue.then(() => this.#registerOnce(subject, schema, schemaType)) as Promise<{ id: number }>;
      this.#queue = pending.catch(() => undefined);
      this.#pending.set(key, pending);
      void pending.finally(() => this.#pending.delete(key)).catch(() => undefined);
    }
    const { id } = await pending;
    // bounded: a client inventing schema after schema must not grow this process without end
    if (this.#registered.size >= MAX_REMEMBERED) this.#registered.delete(this.#registered.keys().next().value as string);
    this.#registered.set(key, id);
    this.#byId.set(id, { id, schema, schemaType });
    return id;
  }

  /** One version of a subject (versions are immutable: asked once). */
  async version(subject: string, version: number): Promise<RegisteredSchema> {
    const key = `${subject}\u0000${version}`;
    const cached = this.#versions.get(key);
    if (cached) return cached;
    const schema = await this.#subjectVersion(subject, String(version));
    this.#versions.set(key, schema);
    return schema;
  }

  /** The subject's latest version; a cached one is used past its time when the registry is unreachable. */
  async latest(subject: string): Promise<RegisteredSchema> {
    const now = (this.#opts.now ?? Date.now)();
    const cached = this.#latest.get(subject);
    if (cached && now - cached.at < this.#opts.latestTtlMs) return cached.schema;
    try {
      const schema = await this.#subjectVersion(subject, 'latest');
      this.#latest.set(subject, { schema, at: now });
      return schema;
    } catch (err) {
      if (cached && err instanceof RegistryError && err.unreachable) return cached.schema;
      throw err;
    }
  }

  /** GET subjects/{subject}/versions/{version}, its schema kept by id too. */
  async #subjectVersion(subject: string, version: string): Promise<RegisteredSchema> {
    const body = (await this.#call('GET', `subjects/${encodeURIComponent(subject)}/versions/${version}`)) as SubjectVersion;
    const schema: RegisteredSchema = {
      id: body.id,
      schema: body.schema,
      schemaType: body.schemaType ?? 'AVRO',
      subject,
      version: body.version,
    };
    this.#byId.set(schema.id, schema);
    return schema;
  }

  /**
   * Apicurio 2.4 answers 409 "already exists" for a new subject created while others are
   * (3 of 24 parallel first registrations here; nothing is created, and a later try succeeds):
   * that answer is tried again a few times. An incompatible schema's 409 is answered at once.
   */
  async #registerOnce(subject: string, schema: string, schemaType: SchemaType): Promise<unknown> {
    const payload = { schema, ...(schemaType === 'AVRO' ? {} : { schemaType }) };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#call('POST', `subjects/${encodeURIComponent(subject)}/versions`, payload);
      } catch (err) {
        const raced = err instanceof RegistryError && err.status === 409 && /already exists/i.test(err.message);
        if (!raced || attempt >= RACE_RETRIES) throw err;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
      }
    }
  }

  async #call(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<unknown> {
    const url = new URL(path, this.#root);
    const answer = await this.#send(method, url, payload === undefined ? undefined : JSON.stringify(payload));
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const { error_code: errorCode, message } = (answer.body ?? {}) as { error_code?: number; message?: string };
    throw new RegistryError(
      `the schema registry answered ${answer.status} to ${method} ${url.pathname}${message ? `: ${message}` : ''}`,
      answer.status,
      typeof errorCode === 'number' ? errorCode : 0,
    );
  }

  #send(method: string, url: URL, body: string | undefined): Promise<Answer> {
    const { user, password, ca, timeoutMs } = this.#opts;
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (body !== undefined) headers['content-type'] = CONTENT_TYPE;
    // the credentials go in a header, never in the URL an error message could show
    if (user !== undefined) headers.authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const unreachable = (why: string) => reject(new RegistryError(`the schema registry at ${url.origin} ${why}`, 0, 0));
      const req = send(url, { method, headers, timeout: timeoutMs, ...(ca === undefined ? {} : { ca }) }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = { message: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', (err) => unreachable(`broke off its answer: ${err.message}`));
      });
      req.on('timeout', () => {
        req.destroy();
        unreachable(`did not answer within ${timeoutMs} ms`);
      });
      req.on('error', (err) => unreachable(`cannot be reached: ${err.message}`));
      req.end(body);
    });
  }
}
