import { decodeEvent } from '@ccp/schemas';
import { followLog, type EventStore, type SubjectKeys } from '@ccp/command-service';
import { ConnectionsView } from './connections.js';

export interface LiveConnections {
  readonly view: ConnectionsView;
  /** Reads what was appended since the last catch-up. */
  catchUp(): Promise<void>;
}

/**
 * Tenants' connections kept current from the log, for what the gateway decides as a call runs: which model and
 * speech provider a tenant brought, which Twilio account signs its webhooks, which CRM to look a caller up in.
 */
export const createLiveConnections = (store: EventStore, keys: SubjectKeys): LiveConnections => {
  const view = new ConnectionsView(keys);
  const follower = followLog(store, (recorded) => {
    if (!ConnectionsView.folds(recorded.streamId)) return;
    const decoded = decodeEvent(recorded);
    if (decoded.ok) view.apply(decoded.value);
  });
  return { view, catchUp: follower.catchUp };
};
