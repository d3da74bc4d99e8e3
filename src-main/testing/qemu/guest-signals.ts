// Runs INSIDE the QEMU guest: the guest half of runInGuest's file handshake in $GM_OUT (the host's
// monitor.waitForGuest(name) / signalGuest(name) are the other half, in qemu-guest.ts).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The host directory shared with the guest (results go here). */
export const guestOut = process.env.GM_OUT as string;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function signalHost(name: string): void {
  writeFileSync(join(guestOut, `${name}.guest-signal`), '');
}

export async function waitHost(name: string): Promise<void> {
  while (!existsSync(join(guestOut, `${name}.host-signal`))) await sleep(50);
}
