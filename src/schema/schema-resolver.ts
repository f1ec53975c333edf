/**
 * From what a request says about a key's or value's schema to a registered schema and its
 * codec, as the REST Proxy resolves it: a schema id; a schema's text (registered under the
 * subject, or found there); a subject's version; or only the type, which takes the subject's
 * latest version. The subject is `<topic>-key` / `<topic>-value` (TopicNameStrategy) unless the
 * request names one or another strategy. Compiled codecs are kept by schema id.
 */
import { compileCodec, type Codec } from './codec.js';
import { RegistryError, type RegistryClient, type SchemaType } from './registry-client.js';
import { SchemaError } from './schema-error.js';

export type SubjectStrategy = 'TOPIC_NAME' | 'RECORD_NAME' | 'TOPIC_RECORD_NAME';
export const subjectStrategies: readonly SubjectStrategy[] = ['TOPIC_NAME', 'RECORD_NAME', 'TOPIC_RECORD_NAME'];

export type RecordPart = 'key' | 'value';

export interface SchemaChoice {
  /** the type the request names; undefined: the registered schema's type decides (v3 without a type) */
  readonly schemaType?: SchemaType;
  readonly schema?: string;
  readonly schemaId?: number;
  readonly schemaVersion?: number;
  readonly subject?: string;
  readonly strategy?: SubjectStrategy;
}

export interface ResolvedSchema {
  readonly id: number;
  readonly schemaType: SchemaType;
  /** known when the schema was found or registered through a subject */
  readonly subject: string | undefined;
  readonly version: number | undefined;
  readonly codec: Codec;
}

/** Codecs kept: schemas a registry holds are few; a bound keeps a flood of new ones from growing memory. */
const MAX_CODECS = 1000;

export class SchemaResolver {
  readonly #client: RegistryClient;
  readonly #codecs = new Map<string, Promise<Codec>>();

  constructor(client: RegistryClient) {
    this.#client = client;
  }

  async resolve(topic: string, part: RecordPart, choice: SchemaChoice, field: string): Promise<ResolvedSchema> {
    try {
      return await this.#resolve(topic, part, choice, field);
    } catch (err) {
      throw err instanceof RegistryError ? registryFailure(err, field, choice) : err;
    }
  }

  async #resolve(topic: string, part: RecordPart, choice: SchemaChoice, field: string): Promise<ResolvedSchema> {
    if (choice.schemaId !== undefined) {
      const found = await this.#client.byId(choice.schemaId);
      const codec = await this.#codec(expectType(found.schemaType, choice, field, `schema id ${choice.schemaId}`), found.schema);
      return { id: found.id, schemaType: found.schemaType, subject: undefined, version: undefined, codec };
    }
    if (choice.schema !== undefined) {
      const schemaType = choice.schemaType ?? 'AVRO';
      // compiled first: an invalid schema is refused with its reason, before the registry is asked
      const codec = await this.#codec(schemaType, choice.schema);
      const subject = subjectFor(topic, part, choice, codec.recordName, field);
      const id = await this.#client.register(subject, choice.schema, schemaType);
      return { id, schemaType, subject, version: undefined, codec };
    }
    const subject = subjectFor(topic, part, choice, undefined, field);
    const found =
      choice.schemaVersion !== undefined ? await this.#client.version(subject, choice.schemaVersion) : await this.#client.latest(subject);
    const codec = await this.#codec(expectType(found.schemaType, choice, field, `subject ${subject}`), found.schema);
    return { id: found.id, schemaType: found.schemaType, subject, version: found.version, codec };
  }

  #codec(schemaType: SchemaType, text: string): Promise<Codec> {
    const key = `${schemaType}\u0000${text}`;
    let codec = this.#codecs.get(key);
    if (!codec) {
      codec = compileCodec(schemaType, text);
      // a schema that did not compile is not kept: the same text fails the same way, cheaply enough
      codec.catch(() => this.#codecs.delete(key));
      if (this.#codecs.size >= MAX_CODECS) this.#codecs.delete(this.#codecs.keys().next().value as string);
      this.#codecs.set(key, codec);
    }
    return codec;
  }
}

function expectType(registered: SchemaType, choice: SchemaChoice, field: string, what: string): SchemaType {
  if (choice.schemaType !== undefined && choice.schemaType !== registered) {
    throw new SchemaError('schema-invalid', `${field}: ${what} is a ${registered} schema, not ${choice.schemaType}`);
  }
  return registered;
}

function subjectFor(topic: string, part: RecordPart, choice: SchemaChoice, recordName: string | undefined, field: string): string {
  if (choice.subject !== undefined) return choice.subject;
  const strategy = choice.strategy ?? 'TOPIC_NAME';
  if (strategy === 'TOPIC_NAME') return `${topic}-${part}`;
  if (recordName === undefined) {
    throw new SchemaError(
      'schema-not-found',
      `${field}: subject_name_strategy ${strategy} names the subject after the record, which is known only from a schema: send schema, schema_id or subject`,
    );
  }
  return strategy === 'RECORD_NAME' ? recordName : `${topic}-${recordName}`;
}

/** The registry's answer as the row it belongs to (the registry's own words kept in the message). */
function registryFailure(err: RegistryError, field: string, choice: SchemaChoice): SchemaError {
  if (err.unreachable || err.status >= 500) return new SchemaError('registry-unavailable', `${field}: ${err.message}`);
  if (err.status === 401 || err.status === 403) {
    return new SchemaError(
      'registry-unavailable',
      `${field}: the schema registry refused serve-producer's credentials (${err.status}): see its --schema-registry-user`,
    );
  }
  if (err.status === 404) {
    const what =
      choice.schemaId !== undefined
        ? `schema id ${choice.schemaId}`
        : choice.schemaVersion !== undefined
          ? `version ${choice.schemaVersion} of the subject`
          : 'the subject';
    return new SchemaError('schema-not-found', `${field}: ${what} is not in the schema registry (${err.message})`);
  }
  if (err.status === 409) return new SchemaError('schema-incompatible', `${field}: ${err.message}`);
  if (err.status === 422) return new SchemaError('schema-invalid', `${field}: ${err.message}`);
  return new SchemaError('registry-unavailable', `${field}: ${err.message}`);
}
