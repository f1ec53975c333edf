/**
 * winston, one JSON object per line (ISO time, level, msg, then fields) for Fluent Bit and
 * Loki, or a compact text line for humans. Fields that look like secrets are masked here, as a
 * last line of defence: callers should not pass them in the first place.
 */
import type { Writable } from 'node:stream';
import winston from 'winston';
import type { LogFormat, LogLevel } from '../config/common-settings.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** stdout for services; stderr for tools whose stdout carries results */
  readonly stream: Writable;
  /** fields on every line, e.g. the queue id */
  readonly fields?: Readonly<Record<string, unknown>>;
}

const secretField = /pass(word)?|secret|token|sasl\.password/i;

function mask(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => mask(v, depth + 1));
  if (value instanceof Error) return value.message;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretField.test(k) ? '[redacted]' : mask(v, depth + 1)]));
}

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = secretField.test(key) ? '[redacted]' : mask(info[key]);
  }
  return info;
});

const jsonLine = winston.format.printf((info) => {
  const { level, message, timestamp, ...fields } = info;
  return JSON.stringify({ time: timestamp, level, msg: message, ...fields });
});

const textLine = winston.format.printf((info) => {
  const { level, message, timestamp, ...fields } = info;
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp).slice(11, 23)} ${level.padEnd(5)} ${String(message)}${rest ? ` ${rest}` : ''}`;
});

export function createLogger(opts: LoggerOptions): Logger {
  return winston.createLogger({
    level: opts.level,
    defaultMeta: opts.fields,
    format: winston.format.combine(redact(), winston.format.timestamp(), opts.format === 'json' ? jsonLine : textLine),
    transports: [new winston.transports.Stream({ stream: opts.stream })],
  });
}
