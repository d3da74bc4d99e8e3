// Fuzzing every parser: random, truncated and bit-flipped responses must give a value or a typed
// GlassmasterError — never a RangeError, TypeError or NaN. Seeded so failures reproduce.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GlassmasterError } from '../common/errors';
import { parseInquiry } from './commands/inquiry';
import { parseRequestSense } from './commands/request-sense';
import { parseGetConfiguration } from './commands/get-configuration';
import { parseGetEventStatusNotification } from './commands/get-event-status-notification';
import { parseReadDiscInformation } from './commands/read-disc-information';
import { parseReadTrackInformation } from './commands/read-track-information';
import { parseAtip, parseRawToc, parseSessionInfo, parseToc } from './commands/read-toc-pma-atip';
import { parseReadCapacity } from './commands/read-capacity';
import { parseReadFormatCapacities } from './commands/read-format-capacities';
import { parseCapabilitiesPage, parseModeSense10, parseWriteParametersPage } from './commands/mode-sense';
import { parsePerformance, parseWriteSpeeds } from './commands/get-performance';
import { parseReadBufferCapacity } from './commands/read-buffer-capacity';
import { parseMechanismStatus } from './commands/mechanism-status';
import { parseCueSheet } from './commands/send-cue-sheet';
import { parseLayerBoundary, parsePhysicalFormat } from './commands/read-disc-structure';
import { decodeSense, parseSense, senseToError } from './sense';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const parsers: Record<string, (b: Uint8Array) => unknown> = {
  parseInquiry, parseRequestSense, parseGetConfiguration, parseGetEventStatusNotification, parseReadDiscInformation, parseReadTrackInformation,
  parseToc: (b) => parseToc(b), parseTocMsf: (b) => parseToc(b, true), parseSessionInfo: (b) => parseSessionInfo(b), parseRawToc: (b) => parseRawToc(b), parseAtip,
  parseReadCapacity, parseReadFormatCapacities, parseModeSense10, parseWriteParametersPage, parseCapabilitiesPage, parseWriteSpeeds, parsePerformance,
  parseReadBufferCapacity, parseMechanismStatus, parseCueSheet, parsePhysicalFormat, parseLayerBoundary,
  parseSense, decodeSense, senseToError: (b) => senseToError(0x28, b),
};

const seeds: Uint8Array[] = Object.values(
  (JSON.parse(readFileSync(join(import.meta.dirname, '__fixtures__', 'tgtd-dvd-plus-r.json'), 'utf8')) as { responses: Record<string, { data: string; sense: string }> }).responses,
).flatMap((x) => [Buffer.from(x.data, 'hex'), Buffer.from(x.sense, 'hex')]).filter((b) => b.length > 0);

function check(name: string, fn: (b: Uint8Array) => unknown, input: Uint8Array): void {
  try {
    const v = fn(input);
    // A value must not carry NaN anywhere (a sign of reading undefined bytes).
    JSON.stringify(v, (_k, x) => {
      if (typeof x === 'number' && Number.isNaN(x)) throw new Error(`${name}: NaN in result for ${Buffer.from(input).toString('hex')}`);
      return x instanceof Map ? [...x.values()] : x;
    });
  } catch (e) {
    if (!(e instanceof GlassmasterError)) {
      throw new Error(`${name} threw ${(e as Error).name}: ${(e as Error).message} on ${Buffer.from(input).toString('hex').slice(0, 200)}`, { cause: e });
    }
  }
}

describe('parser fuzzing', () => {
  it.each(Object.keys(parsers))('%s: random buffers', (name) => {
    const rand = rng(name.length * 7919 + 17);
    for (let i = 0; i < 1500; i++) {
      const len = Math.floor(rand() * 80) + (i % 10 === 0 ? Math.floor(rand() * 2100) : 0);
      const b = new Uint8Array(len);
      for (let j = 0; j < len; j++) b[j] = rand() < 0.3 ? 0 : rand() < 0.1 ? 0xff : Math.floor(rand() * 256);
      check(name, parsers[name], b);
    }
  });

  it.each(Object.keys(parsers))('%s: truncated and bit-flipped real responses', (name) => {
    const rand = rng(name.length * 31 + 5);
    for (const s of seeds) {
      for (let cut = 0; cut <= Math.min(s.length, 64); cut++) check(name, parsers[name], s.subarray(0, cut));
      for (let k = 0; k < 40; k++) {
        const b = Uint8Array.from(s);
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
        check(name, parsers[name], b);
      }
    }
  });

  it('a short response is a typed error naming the command', () => {
    expect(() => parseReadDiscInformation(new Uint8Array(3))).toThrow(/READ DISC INFORMATION: response too short/);
    expect(() => parseReadTrackInformation(new Uint8Array(10))).toThrow(GlassmasterError);
    expect(() => parseGetConfiguration(new Uint8Array(7))).toThrow(/feature header too short/);
  });
});
