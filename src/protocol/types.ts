/**
 * The control-plane messages (schemas/, docs/protocol.md) as TypeScript types. What we send is complete
 * (`ServiceEvent`); what we receive may be legacy and partial (`ReceivedEvent`), so the two
 * differ on purpose. The JSON Schemas in schemas/ describe what is received.
 */

export const commandNames = ['ping', 'stop'] as const;

/** The queue id that addresses every service: each one answers a command sent to it. */
export const ANY_QUEUE = '*';
export type CommandName = (typeof commandNames)[number];

/**
 * A command as a service receives it. Only `queue_id` and `command` are sure: the loaders' own
 * tests send `{"command": "stop", "queue_id": "..."}` and nothing else.
 */
export interface Command {
  readonly queue_id: string;
  readonly command: CommandName;
  /** sender's wall clock, unix seconds with fraction; absent (or null) from some legacy senders */
  readonly sent_at?: number | null;
  readonly command_id?: string;
}

/** A command as we send it: always with `sent_at` and a `command_id` to correlate on. */
export interface OutgoingCommand extends Command {
  readonly sent_at: number;
  readonly command_id: string;
}

export const statusNames = ['started', 'loading', 'interrupted', 'finished', 'error'] as const;
export type StatusName = (typeof statusNames)[number];
export type TerminalStatus = Extract<StatusName, 'interrupted' | 'finished' | 'error'>;
export const terminalStatuses: readonly TerminalStatus[] = ['interrupted', 'finished', 'error'];
export const eventNames = [...statusNames, 'pong'] as const;
export type EventName = (typeof eventNames)[number];

/** Who the service is: the envelope fields that never change over its life. */
export interface Identity {
  readonly queue_id: string;
  readonly symbol: string | null;
  readonly type: string | null;
  readonly producer: string;
}

interface Envelope extends Identity {
  readonly sent_at: number;
  /** same instant as sent_at: queue managers key telemetry on it */
  readonly timestamp: number;
}

export interface StatusEvent extends Envelope {
  readonly event: StatusName;
  readonly status: StatusName;
  readonly message: string;
  readonly finished: boolean;
  readonly records_written: number;
  readonly time_range: string | null;
  readonly kafka_topic: string | null;
  readonly error_message?: string;
}

export interface PongEvent extends Envelope {
  readonly event: 'pong';
  /** the command's sent_at, copied exactly; null when the command had none (as the legacy dummy does) */
  readonly ping_ts: number | null;
  readonly ponged_at: number;
  readonly command_id?: string;
}

export type ServiceEvent = StatusEvent | PongEvent;

/** An event as a reader meets it: only `event` and `queue_id` are sure. */
export interface ReceivedEvent {
  readonly event: EventName;
  readonly queue_id: string;
  readonly symbol?: string | null;
  readonly type?: string | null;
  readonly producer?: string | null;
  readonly sent_at?: number;
  readonly timestamp?: number;
  readonly status?: StatusName;
  readonly message?: string | null;
  readonly finished?: boolean;
  readonly records_written?: number;
  readonly time_range?: string | null;
  readonly kafka_topic?: string | null;
  readonly error_message?: string | null;
  readonly ping_ts?: number | null;
  readonly ponged_at?: number;
  readonly command_id?: string;
  readonly [extra: string]: unknown;
}

export function isTerminal(name: string): name is TerminalStatus {
  return (terminalStatuses as readonly string[]).includes(name);
}

/** POST /produce, and each item of POST /produce/batch (schemas/produce-request.schema.json). */
export interface ProduceRequest {
  readonly topic: string;
  readonly key?: string | null;
  readonly message: unknown;
  readonly partition?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One record of a v2 gateway request (schemas/kafka-v2-record.schema.json). */
export interface KafkaV2Record {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly partition?: number;
  readonly timestamp?: number;
  readonly headers?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
}

/** POST /topics/{topic}[/partitions/{partition}] (schemas/kafka-v2-produce-request.schema.json). */
export interface KafkaV2ProduceRequest {
  readonly records: readonly KafkaV2Record[];
  /** Avro, JSON Schema, Protobuf: the schema's text (registered under <topic>-key / -value), or its id */
  readonly key_schema?: string | null;
  readonly key_schema_id?: number | null;
  readonly value_schema?: string | null;
  readonly value_schema_id?: number | null;
}

export type KafkaV3DataType = 'BINARY' | 'JSON' | 'STRING' | 'AVRO' | 'JSONSCHEMA' | 'PROTOBUF';

/** A v3 key or value (schemas/kafka-v3-data.schema.json). */
export interface KafkaV3Data {
  readonly type?: KafkaV3DataType;
  readonly data?: unknown;
  readonly subject?: string | null;
  readonly subject_name_strategy?: string | null;
  readonly schema_id?: number | null;
  readonly schema_version?: number | null;
  readonly schema?: string | null;
}

/** One v3 record (schemas/kafka-v3-produce-record.schema.json). */
export interface KafkaV3Record {
  readonly partition_id?: number | null;
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly value?: string | null }>;
  readonly key?: KafkaV3Data | null;
  readonly value?: KafkaV3Data | null;
  readonly timestamp?: string | null;
}
