/**
 * ajv validators compiled from the JSON Schema files in schemas/, the same files the HTTP
 * layer serves: one source of truth for what a valid message is.
 */
import { readPackageFile } from '../resources.js';
import { jsonFormats } from './json-safety.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Command, KafkaV2ProduceRequest, KafkaV3Record, ProduceRequest, ReceivedEvent } from './types.js';

const schemaFiles = [
  'json-value',
  'command',
  'event',
  'pong-event',
  'status-event',
  'produce-request',
  'typed-event-request',
  'kafka-v2-record',
  'kafka-v2-produce-request',
  'kafka-v2-schema-request',
  'kafka-v3-data',
  'kafka-v3-produce-record',
  'kafka-v3-batch-request',
] as const;
export type SchemaName =
  | (typeof schemaFiles)[number]
  | 'produce-response'
  | 'batch-response'
  | 'error-response'
  | 'kafka-rest-error'
  | 'kafka-v2-binary-request'
  | 'kafka-v2-text-request'
  | 'kafka-v2-produce-response'
  | 'kafka-v3-data-size'
  | 'kafka-v3-produce-report'
  | 'kafka-v3-batch-response';

export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readPackageFile(`schemas/${name}.schema.json`)) as Record<string, unknown>;
}

export interface Validators {
  readonly command: ValidateFunction<Command>;
  readonly event: ValidateFunction<ReceivedEvent>;
  readonly produceRequest: ValidateFunction<ProduceRequest>;
}

export const schemaBase = 'https://streamforge.dev/schemas/';

const ajvOptions = {
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  formats: jsonFormats,
  ownProperties: true,
  strictRequired: false,
};

let cached: Validators | undefined;

export function validators(): Validators {
  if (cached) return cached;
  const ajv = new Ajv(ajvOptions);
  for (const name of schemaFiles) ajv.addSchema(loadSchema(name));
  // getSchema compiles here, at start-up, so a broken schema fails loudly before any message.
  cached = {
    command: ajv.getSchema<Command>(`${schemaBase}command.schema.json`) as ValidateFunction<Command>,
    event: ajv.getSchema<ReceivedEvent>(`${schemaBase}event.schema.json`) as ValidateFunction<ReceivedEvent>,
    produceRequest: ajv.getSchema<ProduceRequest>(`${schemaBase}produce-request.schema.json`) as ValidateFunction<ProduceRequest>,
  };
  return cached;
}

/** The gateway dialects' requests (routes/kafka-rest-*.ts), for bodies json-body.ts inspected. */
export interface GatewayValidators {
  readonly v2Produce: ValidateFunction<KafkaV2ProduceRequest>;
  readonly v2SchemaProduce: ValidateFunction<KafkaV2ProduceRequest>;
  readonly v3Record: ValidateFunction<KafkaV3Record>;
}

let inspected: (Pick<Validators, 'produceRequest'> & GatewayValidators) | undefined;

/**
 * The same schemas, for values that already passed json-safety's inspectJson (every HTTP body
 * does, in http/json-body.ts): json-value.schema.json walks every nested value to refuse what
 * the inspection has refused already (prototype-poisoning keys, in every spelling; the depth
 * limit is the inspection's alone), so here it accepts any value. That walk was the largest
 * part of validating a batch item in a CPU profile of /produce/batch.
 */
export function inspectedValidators(): Pick<Validators, 'produceRequest'> & GatewayValidators {
  if (inspected) return inspected;
  const ajv = new Ajv(ajvOptions);
  for (const name of schemaFiles) {
    const schema = loadSchema(name);
    ajv.addSchema(name === 'json-value' ? { $id: schema.$id, description: 'checked by json-safety inspectJson' } : schema);
  }
  const get = <T>(name: SchemaName) => ajv.getSchema<T>(`${schemaBase}${name}.schema.json`) as ValidateFunction<T>;
  inspected = {
    produceRequest: get<ProduceRequest>('produce-request'),
    v2Produce: get<KafkaV2ProduceRequest>('kafka-v2-produce-request'),
    v2SchemaProduce: get<KafkaV2ProduceRequest>('kafka-v2-schema-request'),
    v3Record: get<KafkaV3Record>('kafka-v3-produce-record'),
  };
  return inspected;
}

/** "sent_at must be number or null; command must be equal to one of the allowed values" */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors?.length) return 'does not match the schema';
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const field = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : 'message';
    const allowed = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : '';
    // ajv says "must be number,null" for a union type
    const types = (e.params as { type?: unknown }).type;
    const message = e.keyword === 'type' && Array.isArray(types) ? `must be ${types.join(' or ')}` : (e.message ?? 'is invalid');
    seen.add(`${field} ${message}${allowed}`);
  }
  return [...seen].join('; ');
}
