/**
 * A second OS process writing to a shared SQLite store, for the multi-process test: appends `count` events to a
 * shared stream at the revision it last read (retrying conflicts) and as many to a stream of its own.
 */
import { randomUUID } from 'node:crypto';
import { createSqliteEventStore } from '../sqlite.js';
import { WrongExpectedRevisionError } from '../port.js';

const [path, sharedStream, writer, countText, startAtText] = process.argv.slice(2);
if (!path || !sharedStream || !writer || !countText || !startAtText) {
  throw new Error('usage: concurrent-writer PATH STREAM WRITER COUNT START_AT_MS');
}
const count = Number(countText);
const store = createSqliteEventStore({ path, synchronous: 'normal' });
// Both writers start at the same instant, so their appends really overlap.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));

let conflicts = 0;
for (let n = 0; n < count; n += 1) {
  for (;;) {
    const [last] = await store.readStream(sharedStream, { direction: 'backwards', maxCount: 1 });
    const event = { id: randomUUID(), type: 'Written', data: { writer, n }, metadata: {} };
    try {
      await store.append(sharedStream, [event], last ? last.revision : 'no_stream');
      break;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      conflicts += 1;
    }
  }
  await store.append(
    `${sharedStream}-${writer}`,
    [{ id: randomUUID(), type: 'Written', data: { writer, n }, metadata: {} }],
    'any',
  );
}
await store.close();
process.stdout.write(JSON.stringify({ writer, conflicts }) + '\n');
