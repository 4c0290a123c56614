import { decodeEvent } from '@ccp/schemas';
import { followLog, type EventStore } from '@ccp/command-service';
import { Directory } from './directory.js';

const CATEGORIES =
  /^(tenant|department|agent|number|article|script|call|appointment|ticket|service|calendar|contact)-/;

export interface LiveDirectory {
  readonly directory: Directory;
  /** Reads what was appended since the last catch-up. */
  catchUp(): Promise<void>;
}

/**
 * The directory kept current from the (decrypting) event store: a call is routed on what the log says at the
 * moment it rings, so a number assigned a second ago already answers.
 */
export const createLiveDirectory = (store: EventStore): LiveDirectory => {
  const directory = new Directory();
  const follower = followLog(store, (recorded) => {
    if (!CATEGORIES.test(recorded.streamId)) return;
    const decoded = decodeEvent(recorded);
    if (decoded.ok) directory.apply(decoded.value);
  });
  return { directory, catchUp: follower.catchUp };
};
