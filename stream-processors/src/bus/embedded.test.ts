import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteCheckpointStore, createSqliteEventStore } from '@ccp/command-service';
import { busContract } from './contract.js';
import { createEmbeddedBus } from './embedded.js';

busContract('embedded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccp-bus-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  return {
    store,
    openBus: async (options) => createEmbeddedBus({ ...options, store, checkpoints }),
    close: async () => {
      await checkpoints.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
