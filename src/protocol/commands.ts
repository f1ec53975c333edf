/** Building the commands we send: complete, with our wall clock and an id to correlate on. */
import { randomUUID } from 'node:crypto';
import { unixSeconds } from './codec.js';
import type { CommandName, OutgoingCommand } from './types.js';

/** A command as it goes on the control topic: the record's key, and the command. */
export interface CommandRecord {
  readonly key: string;
  readonly command: OutgoingCommand;
}

/**
 * The fleet's rule for a command's key: the queue it is for, so one queue's commands stay in
 * order on one partition (the queue manager keys them so, and a service's reader relies on it).
 */
export function commandRecord(command: OutgoingCommand): CommandRecord {
  return { key: command.queue_id, command };
}

export function makeCommand(target: string, command: CommandName, wallMs: number, id = randomUUID()): OutgoingCommand {
  return { queue_id: target, command, sent_at: unixSeconds(wallMs), command_id: id };
}
