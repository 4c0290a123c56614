import type { StoredEvent } from '@ccp/schemas';
import {
  withPersonalDataEncryption,
  type SubjectKeys,
  type EventStore,
  type RecordedEvent,
} from '@ccp/command-service';
import type { Decrypt } from './kafka-codec.js';

const unsupported = (): never => {
  throw new Error('a one-event view reads only');
};

/**
 * Decrypts events read from Kafka with the same subject keys as the event store. personal-data.ts keeps its
 * decryption inside the store decorator, so each event is read through that decorator from a one-event view:
 * the cipher, the erased-field handling and their metadata stay written once.
 */
export const personalDataDecryptor = (keys: SubjectKeys): Decrypt => {
  return async (event: StoredEvent): Promise<StoredEvent> => {
    const recorded: RecordedEvent = { ...event, revision: 0, position: 0, recordedAt: new Date(0) };
    const view: EventStore = {
      append: unsupported,
      readStream: unsupported,
      subscribe: unsupported,
      readAll: async () => [recorded],
      close: async () => undefined,
    };
    const [clear] = await withPersonalDataEncryption(view, keys).readAll();
    if (!clear) throw new Error(`event ${event.id} vanished while decrypting`);
    return {
      id: clear.id,
      type: clear.type,
      streamId: clear.streamId,
      data: clear.data,
      metadata: clear.metadata,
    };
  };
};
