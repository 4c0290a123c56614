import { decodeEvent, DO_NOT_CALL_LIST, streamName } from '@ccp/schemas';
import {
  doNotCallDecider,
  isOnDoNotCallList,
  type DoNotCallState,
  type EventStore,
} from '@ccp/command-service';

interface ListView {
  revision: number;
  state: DoNotCallState;
}

type DoNotCallEvent = Parameters<typeof doNotCallDecider.evolve>[1];

/**
 * The tenants' do-not-call lists as the dialer checks them right before each dial: each folded once from
 * `donotcall-<tenant>.list` with the list's own decider, then only its new events read. A list that cannot be
 * read throws, and the caller does not dial (fail closed).
 */
export class DoNotCallLists {
  private readonly lists = new Map<string, ListView>();

  constructor(private readonly store: Pick<EventStore, 'readStream'>) {}

  async isListed(tenantId: string, number: string): Promise<boolean> {
    const streamId = streamName('donotcall', tenantId, DO_NOT_CALL_LIST);
    let list = this.lists.get(tenantId);
    if (!list) {
      list = { revision: -1, state: doNotCallDecider.initialState() };
      this.lists.set(tenantId, list);
    }
    for (;;) {
      const batch = await this.store.readStream(streamId, {
        fromRevision: list.revision + 1,
        maxCount: 1000,
      });
      for (const recorded of batch) {
        if (recorded.revision <= list.revision) continue;
        const decoded = decodeEvent(recorded);
        if (!decoded.ok) throw new Error(`${streamId}@${recorded.revision}: ${decoded.error.message}`);
        list.state = doNotCallDecider.evolve(list.state, decoded.value as unknown as DoNotCallEvent);
        list.revision = recorded.revision;
      }
      if (batch.length < 1000) return isOnDoNotCallList(list.state, number);
    }
  }
}
