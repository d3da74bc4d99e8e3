// The iSCSI rule for IPC (src-main/ipc/README.md): a request from the renderer or a browser client
// may name an iSCSI drive only if the host configured it (config.json, `glassmaster drives
// --add-iscsi`, `serve --iscsi`) or the user confirmed it on the host (devices.addIscsi). Without
// this, `devices.media { address: 'iscsi://ANY-HOST:ANY-PORT/…' }` made main open a connection
// anywhere, and the error text told refused, closed and timed-out ports apart: a port scanner.
// The CLI is not behind this guard: its addresses are typed by the user.
import { z } from 'zod';
import { DriveAddress, requestSchemas } from '../common/ipc/contract';
import { GlassmasterError, NotFoundError } from '../common/errors';
import type { Handlers } from '../ipc/dispatcher';
import { redactAddress } from '../transport/iscsi/address';

/**
 * [method, field] for every top-level request field whose schema is DriveAddress (optional,
 * default and nullable unwrapped). Found by walking the contract, so a new method that takes a
 * drive address is guarded without a list to keep up to date.
 */
export function driveAddressFields(schemas: Record<string, z.ZodTypeAny>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [method, schema] of Object.entries(schemas)) {
    if (!(schema instanceof z.ZodObject)) continue;
    for (const [field, s] of Object.entries(schema.shape as Record<string, z.ZodTypeAny>)) {
      let inner: z.ZodTypeAny = s;
      while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) inner = inner._def.innerType as z.ZodTypeAny;
      if (inner === DriveAddress) out.push([method, field]);
    }
  }
  return out;
}

export interface IscsiIpcGuardOptions {
  /** Whether the address names a configured or confirmed LUN (IscsiTransport.has); may throw InvalidInputError. */
  isKnown(address: string): boolean;
  /** Where the full error of a failed iSCSI call goes (the host's log), since the reply is generic. */
  logFailure(address: string, err: GlassmasterError): void;
}

/** The one answer over IPC for any transport failure on an iSCSI drive (the cause is in the host's log). */
export class IscsiUnreachableError extends GlassmasterError {
  constructor(addresses: string[], discState: unknown) {
    super('TRANSPORT', `The iSCSI drive ${addresses.join(' or ')} cannot be reached or stopped answering (details are in the log of the host running Glassmaster).`, {
      details: { address: addresses[0], ...(discState === undefined ? {} : { discState }) },
    });
  }
}

const isIscsi = (a: unknown): a is string => typeof a === 'string' && a.startsWith('iscsi://');

/**
 * Wraps the handlers of every method with a drive address: an iSCSI address that is not known is
 * refused before anything connects, and a TRANSPORT failure on an iSCSI drive is answered with one
 * text whatever the cause (refused, reset, timed out, protocol garbage). Other errors (SCSI sense,
 * busy, cancel) only happen after a login to a configured target and pass unchanged.
 */
export function guardIscsiAddresses(handlers: Handlers, opts: IscsiIpcGuardOptions): Handlers {
  const guarded: Record<string, unknown> = { ...handlers };
  const byMethod = new Map<string, string[]>();
  for (const [method, field] of driveAddressFields(requestSchemas)) byMethod.set(method, [...(byMethod.get(method) ?? []), field]);
  for (const [method, fields] of byMethod) {
    const inner = handlers[method as keyof Handlers] as (params: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>;
    guarded[method] = async (params: Record<string, unknown>, signal: AbortSignal) => {
      const iscsi = fields.map((f) => params[f]).filter(isIscsi);
      for (const address of iscsi) {
        // Credentials never come over IPC: a configured drive's CHAP secret is the host's.
        if (/^iscsi:\/\/[^/]*@/.test(address) || !opts.isKnown(address)) {
          throw new NotFoundError(`${redactAddress(address)} is not a configured iSCSI drive; add it on the host (glassmaster drives --add-iscsi ADDRESS)`, { address: redactAddress(address) });
        }
      }
      try {
        return await inner(params, signal);
      } catch (err) {
        const e = GlassmasterError.from(err);
        if (iscsi.length === 0 || e.code !== 'TRANSPORT') throw err;
        opts.logFailure(iscsi.join(', '), e);
        const discState = e.details?.discState;
        throw new IscsiUnreachableError(iscsi.map(redactAddress), discState);
      }
    };
  }
  return guarded as Handlers;
}
