// Messages between the fuzz runner (host) and its workers.
import type { TargetResult } from './targets';
import type { SeedImage } from './writer-seeds';

export type WorkerKind = 'readers' | 'planted';

export interface FuzzWorkerData {
  seeds: SeedImage[];
  runSeed: number;
  /** 'readers': the product's reader entry points; 'planted': the runner's own self-test target. */
  kind: WorkerKind;
  memoryLimitMb: number;
}

export type HostMessage = { type: 'case'; index: number } | { type: 'bytes'; index: number; bytes: Uint8Array; seedName: string };

export type WorkerMessage =
  /** statPath: the worker thread's /proc stat file (thread-cpu.ts), when the OS has one. */
  | { type: 'ready'; statPath?: string }
  | { type: 'result'; index: number; seedName: string; targets: TargetResult[]; ms: number; cpuMs?: number; peakMb: number; overLimit: boolean }
  /** Sent by the memory sampler the moment a case passes the limit; the host then ends the worker. */
  | { type: 'over'; index: number; peakMb: number };
