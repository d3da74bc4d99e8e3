// What every build*() returns: a ready-to-send transport command.
import type { ScsiCommand } from '../transport/transport';

export type MmcCommand = ScsiCommand & { cdb: Uint8Array };

export function cmdNone(cdb: Uint8Array, timeoutMs?: number): MmcCommand {
  return { cdb, direction: 'none', timeoutMs };
}
export function cmdIn(cdb: Uint8Array, length: number, timeoutMs?: number): MmcCommand {
  return { cdb, direction: 'in', length, timeoutMs };
}
export function cmdOut(cdb: Uint8Array, data: Uint8Array, timeoutMs?: number): MmcCommand {
  return { cdb, direction: 'out', data, timeoutMs };
}
