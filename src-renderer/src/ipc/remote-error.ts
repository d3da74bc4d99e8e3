import type { GlassmasterErrorJSON } from '../../../src-main/common/errors';

/** A service error rehydrated on the renderer side: same code, message and details as in main. */
export class RemoteError extends Error {
  readonly code: GlassmasterErrorJSON['code'];
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(json: GlassmasterErrorJSON) {
    super(json.message);
    this.name = json.name;
    this.code = json.code;
    this.retryable = json.retryable;
    this.details = json.details;
  }
}
