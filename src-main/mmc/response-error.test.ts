// A garbled drive reply names the drive as the culprit, not the disc.
import { describe, expect, it } from 'vitest';
import { DriveResponseError, InvalidMediaError } from '../common/errors';
import { exitCodeFor, ExitCode } from '../common/exit-codes';
import { parseReadDiscInformation } from './commands/read-disc-information';
import { parseWriteParametersPage } from './commands/mode-sense';
import { MmcResponseError } from './bytes';

describe('garbled drive responses', () => {
  it('are DriveResponseError (code DRIVE_RESPONSE, exit code 3), never InvalidMediaError', () => {
    for (const parse of [() => parseReadDiscInformation(new Uint8Array(5)), () => parseWriteParametersPage(new Uint8Array(20).fill(0x2a))]) {
      let err: unknown;
      try {
        parse();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MmcResponseError);
      expect(err).toBeInstanceOf(DriveResponseError);
      expect(err).not.toBeInstanceOf(InvalidMediaError);
      expect(err).toMatchObject({ code: 'DRIVE_RESPONSE' });
      expect(exitCodeFor((err as DriveResponseError).code)).toBe(ExitCode.DEVICE);
    }
  });
});
