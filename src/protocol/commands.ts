/** Building the commands we send: complete, with our wall clock and an id to correlate on. */
import { randomUUID } from 'node:crypto';
import { unixSeconds } from './codec.js';
import type { CommandName, OutgoingCommand } from './types.js';

export function makeCommand(target: string, command: CommandName, wallMs: number, id = randomUUID()): OutgoingCommand {
  return { queue_id: target, command, sent_at: unixSeconds(wallMs), command_id: id };
}
