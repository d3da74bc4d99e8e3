// The browser shell's limits, in one place so the README, the server and the tests agree.
import { GlassmasterError } from '../common/errors';

/** Calls one client may have running at once; more are answered with TooManyCallsError. */
export const MAX_CALLS_IN_FLIGHT = 128;

/** Replies and events queued for a client but not yet taken by its socket; past this the client is closed. */
export const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

/** A client asked for more than MAX_CALLS_IN_FLIGHT concurrent calls: retry when one has finished. */
export class TooManyCallsError extends GlassmasterError {
  constructor(limit: number) {
    super('INVALID_INPUT', `too many calls in flight (at most ${limit} per connection); retry when one has finished`, { retryable: true, details: { limit } });
  }
}
