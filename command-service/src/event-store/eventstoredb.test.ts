import { describe, it } from 'vitest';
import { eventStoreContract } from './contract.js';
import { createEventStoreDbEventStore } from './eventstoredb.js';
import { withHashChain } from './hash-chain.js';

// No EventStoreDB server can run on the development machines (no Docker, no package of the server), so the
// contract runs against one only when its URL is given, e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false.
const url = process.env.EVENTSTORE_URL;

if (url) {
  eventStoreContract('eventstoredb', async () => createEventStoreDbEventStore({ connectionString: url }));
  eventStoreContract('eventstoredb with hash chains', async () =>
    withHashChain(createEventStoreDbEventStore({ connectionString: url })),
  );
} else {
  describe.skip('event store contract: eventstoredb (set EVENTSTORE_URL to run)', () => {
    it('needs a server', () => undefined);
  });
}
