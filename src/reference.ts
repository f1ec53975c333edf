/**
 * The reference pages, docs/configuration.md and the man page docs/streamforge.1, written from
 * the same settings tables as --help and shell completion, so a flag cannot be documented in
 * one and missing from another; and the failure table of docs/http-api.md, from the one in
 * errors.ts. `npm run docs` writes them; a unit test fails when the committed files differ
 * from what this renders.
 */
import type { CommandSpec } from './commands/command-spec.js';
import type { SettingMap } from './config/resolve.js';
import { choicesOf, defaultText, flagNamesOf, type Setting } from './config/setting.js';
import { ExitCode, exitCodeMeanings, failureMeanings, type KafkaErrorKind } from './errors.js';

type Spec = CommandSpec<SettingMap>;

const exitCodeTable: ReadonlyArray<readonly [number, string]> = [
  ...exitCodeMeanings.map((m) => [m.code, m.long] as const),
  [ExitCode.stdoutClosed, 'stdout was closed while the command wrote to it (`| head`), as for any Unix tool'],
];

const precedence = 'flags, then the environment, then a `.env` file in the working directory, then defaults';

/** Settings that every subcommand shares (the same declaration): documented once. */
function sharedSettings(commands: readonly Spec[]): Map<Setting<unknown>, string> {
  const [first, ...rest] = commands;
  const shared = new Map<Setting<unknown>, string>();
  for (const [key, setting] of Object.entries(first?.settings ?? {})) {
    if (rest.every((c) => Object.values(c.settings).includes(setting))) shared.set(setting, key);
  }
  return shared;
}

function envNames(setting: Setting<unknown>): string[] {
  if (setting.env) return [setting.env, ...(setting.envAliases ?? [])];
  return setting.envLabel ? [setting.envLabel] : [];
}

function meaning(setting: Setting<unknown>): string {
  const choices = choicesOf(setting);
  const notes = [setting.description];
  // Said once: many descriptions already list their values.
  if (choices && !choices.every((c) => setting.description.includes(c))) notes.push(`one of ${choices.join(', ')}`);
  if (setting.repeatable && !setting.description.includes('repeatable')) notes.push('repeatable');
  if (setting.secret) notes.push('secret: never shown in logs or errors');
  return notes.join('; ');
}

// ---- Markdown ---------------------------------------------------------------------------

/** Prose for Markdown: `<queue-id>` would otherwise be read as an HTML tag and vanish. */
const prose = (s: string): string => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cell = (s: string): string => prose(s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' '));
const code = (s: string): string => (s ? `\`${s}\`` : '');

function markdownTable(settings: ReadonlyArray<Setting<unknown>>): string {
  const rows = settings.map((s) => {
    const flag = s.flags ? code(s.flags.replace(/\|/g, '\\|')) : '';
    const env = envNames(s)
      .map((e) => code(e))
      .join(' or ');
    const def = defaultText(s);
    return `| ${flag} | ${env} | ${def === undefined ? '' : cell(def)} | ${cell(meaning(s))} |`;
  });
  return ['| Flag | Variable | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function configurationMarkdown(commands: readonly Spec[]): string {
  const shared = sharedSettings(commands);
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from the settings tables in src/ by `npm run docs`; do not edit by hand. -->',
    '',
    `Every setting has up to three ways in: a flag, an environment variable, and the same variable in a \`.env\` file. Precedence: ${precedence}. \`streamforge <command> --help\` prints the same table for one command; \`man streamforge\` has it too after a global npm install.`,
    '',
    'Durations take a unit (`500ms`, `15s`, `1m`, `1h`); a plain number is seconds. Sizes take `kb` or `mb`.',
    '',
    '## Contents',
    '',
    '- [Shared by every subcommand](#shared-by-every-subcommand)',
    ...commands.map((c) => `- [streamforge ${c.name}](#streamforge-${c.name})`),
    '- [Exit codes](#exit-codes)',
    '',
    '## Shared by every subcommand',
    '',
    markdownTable([...shared.keys()]),
    '',
  ];
  for (const c of commands) {
    const own = Object.values(c.settings).filter((s) => !shared.has(s));
    out.push(
      `## streamforge ${c.name}`,
      '',
      prose(`${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.`),
      '',
      prose(c.description),
      '',
      markdownTable(own),
      '',
      'Also every [shared setting](#shared-by-every-subcommand).',
      '',
      'Examples:',
      '',
      '```sh',
      ...c.examples.map((e) => `streamforge ${e.replace(/^streamforge /, '')}`),
      '```',
      '',
    );
  }
  out.push('## Exit codes', '', '| Code | Meaning |', '| --- | --- |', ...exitCodeTable.map(([n, m]) => `| ${n} | ${m} |`), '');
  return out.join('\n');
}

// ---- roff (man 7 man) ---------------------------------------------------------------------

/** Text for a roff line: backslashes escaped, hyphens as \- where they are options, no leading dot. */
function roff(s: string): string {
  const escaped = s.replace(/\\/g, '\\e').replace(/-/g, '\\-');
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

function manSettings(settings: ReadonlyArray<Setting<unknown>>): string[] {
  const out: string[] = [];
  for (const s of settings) {
    const { long, short } = flagNamesOf(s);
    const arg = /<([^>]+)>/.exec(s.flags ?? '')?.[1];
    const head = s.flags
      ? `${[short, long]
          .filter((f): f is string => Boolean(f))
          .map((f) => `\\fB${roff(f)}\\fR`)
          .join(', ')}${arg ? ` \\fI${roff(arg)}\\fR` : ''}`
      : `\\fB${roff(envNames(s)[0] ?? '')}\\fR (environment only)`;
    const notes: string[] = [];
    const env = s.flags ? envNames(s) : envNames(s).slice(1);
    if (env.length) notes.push(`Environment: ${env.join(' or ')}.`);
    const def = defaultText(s);
    if (def !== undefined) notes.push(`Default: ${def}.`);
    out.push('.TP', head, `${roff(meaning(s))}.${notes.length ? ` ${roff(notes.join(' '))}` : ''}`);
  }
  return out;
}

export function manPage(commands: readonly Spec[]): string {
  const shared = sharedSettings(commands);
  const out: string[] = [
    '.\\" Generated from the settings tables in src/ by `npm run docs`; do not edit by hand.',
    '.TH STREAMFORGE 1 "" "streamforge" "User Commands"',
    '.SH NAME',
    'streamforge \\- the StreamForge control plane from one executable',
    '.SH SYNOPSIS',
    ...commands.flatMap((c) => ['.B streamforge', `${roff(c.name)} [\\fIoptions\\fR]`, '.br']),
    '.B streamforge',
    'completion bash|zsh|fish',
    '.SH DESCRIPTION',
    roff(
      'A dummy service, ping and stop over Kafka, HTTP ingestion into Kafka (with the Strimzi Kafka Bridge and Confluent REST Proxy produce routes), and live views of the control plane, for services that talk over the queue-control and queue-events topics.',
    ),
    '.PP',
    roff(
      `Every setting is a flag, an environment variable, or the same variable in a .env file. Precedence: ${precedence.replace(/`/g, '')}.`,
    ),
    '.SH COMMANDS',
  ];
  for (const c of commands) {
    const own = Object.values(c.settings).filter((s) => !shared.has(s));
    out.push(`.SS ${roff(c.name)}`, roff(`${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.`), '.PP', roff(c.description));
    out.push(...manSettings(own));
    out.push(
      '.PP',
      'Examples:',
      '.RS',
      '.nf',
      ...c.examples.map((e) => roff(`streamforge ${e.replace(/^streamforge /, '')}`)),
      '.fi',
      '.RE',
    );
  }
  out.push('.SH SHARED OPTIONS', roff('Every subcommand takes these.'), ...manSettings([...shared.keys()]));
  out.push('.SH EXIT STATUS', ...exitCodeTable.flatMap(([n, m]) => ['.TP', `.B ${n}`, `${roff(m.replace(/`/g, ''))}.`]));
  out.push(
    '.SH FILES',
    '.TP',
    '.I .env',
    roff('In the working directory: KEY=value lines (an export prefix is allowed), read after the environment.'),
    '.SH SEE ALSO',
    '\\fBkcat\\fR(1), \\fBkafka-console-consumer\\fR(1)',
    '',
  );
  return out.join('\n');
}

/** What each kind of failed write is, in a user's words (the table's first column). */
const failureWhat: Record<KafkaErrorKind, string> = {
  backpressure: "a queue is full: the server's budget of records awaiting Kafka, or librdkafka's own queue",
  'too-large': 'the broker finds the message too large',
  'no-such-partition': 'the partition does not exist',
  'no-such-topic': 'the topic does not exist',
  'invalid-record': 'the broker refused the record as it is (a timestamp out of range, no key for a compacted topic)',
  forbidden: 'an ACL (or the allowlist) forbids the topic',
  'outcome-unknown': 'handed to Kafka, no acknowledgement within --produce-timeout',
  'not-written': 'Kafka refused it before appending, or is known to be down',
  unreachable: 'no broker answers',
  auth: 'the producer cannot log in to Kafka',
  tls: 'the TLS handshake with Kafka fails',
  failed: 'a broker error streamforge cannot vouch for',
  'registry-unavailable':
    'schema-typed records: the Schema Registry does not answer (within --schema-registry-timeout), fails, or refuses our credentials',
  'schema-not-found': 'the schema id, subject or version the request names is not in the registry',
  'schema-incompatible': "the subject's compatibility rule refuses the request's schema",
  'schema-invalid': "the request's schema is not a valid Avro, JSON Schema or Protobuf schema (or not of the request's type)",
  'key-schema-missing': 'keys sent without key_schema or key_schema_id',
  'value-schema-missing': 'values sent without value_schema or value_schema_id',
  'schema-mismatch': 'a key or value does not match its schema (a missing, extra or mistyped field)',
  'idempotency-in-progress': 'Idempotency-Key: a request with the same key is still being served',
  'idempotency-key-reused': 'Idempotency-Key: the key was used for a different request (method, path, media type or body)',
  'idempotency-unavailable':
    'Idempotency-Key: the idempotency topics cannot be read or written now (or the server is still reading them at start)',
};

const FAILURE_START = '<!-- failure-table: written by `npm run docs` from errors.ts -->';
const FAILURE_END = '<!-- /failure-table -->';

/** The failure table as Markdown: one row per kind, every column of its row in errors.ts. */
export function failureTableMarkdown(): string {
  const rows = (Object.keys(failureMeanings) as KafkaErrorKind[]).map((kind) => {
    const m = failureMeanings[kind];
    const outcome = m.outcome === 'unknown' ? '**may be in Kafka**' : 'not written';
    const retry = m.retriable ? 'yes' : m.outcome === 'unknown' ? 'check first' : 'no';
    const after = m.retryAfterS === undefined ? '' : `${m.retryAfterS} s`;
    return `| ${cell(failureWhat[kind])} | ${m.status} | \`${m.code}\` | ${outcome} | ${retry} | ${after} | ${m.kafkaRestCode} | ${m.kafkaRestEntryCode} |`;
  });
  return [
    "| failure | status | code | outcome | retry | Retry-After | gateways' `error_code` | v2 entry `error_code` |",
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `page` with its failure table rewritten between the markers (the page is unchanged when it has none). */
export function withFailureTable(page: string): string {
  const start = page.indexOf(FAILURE_START);
  const end = page.indexOf(FAILURE_END);
  if (start < 0 || end < start) return page;
  return `${page.slice(0, start + FAILURE_START.length)}\n${failureTableMarkdown()}\n${page.slice(end)}`;
}
