/**
 * A second OS process writing to a shared SQLite store, for the multi-process test: appends `count` events to a
 * shared stream at the revision it last read (retrying conflicts) and as many to a stream of its own.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createSqliteEventStore } from '../sqlite.js';
import { WrongExpectedRevisionError } from '../port.js';

const [path, sharedStream, writer, countText, writersText] = process.argv.slice(2);
if (!path || !sharedStream || !writer || !countText || !writersText) {
  throw new Error('usage: concurrent-writer PATH STREAM WRITER COUNT WRITERS');
}
const count = Number(countText);
const store = createSqliteEventStore({ path, synchronous: 'normal' });
// Both writers start together, so their appends really overlap: each says it is ready, then waits for the others
// (WRITERS is the number of writers), however long their start-up took on a loaded machine.
const writers = Number(writersText);
writeFileSync(`${path}.ready-${writer}`, '');
while (readdirSync(dirname(path)).filter((f) => f.startsWith(`${basename(path)}.ready-`)).length < writers) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}

// No writer runs more than WINDOW shared appends ahead of the others, so the appends interleave whatever the OS
// scheduling: a run of one writer's events in the shared stream is at most about 2 * WINDOW + 1 long. (A pause
// between appends made that likely, not certain: on a loaded machine one writer still ran to its end first.)
// No deadlock: two writers each waiting would each be more than WINDOW behind the other.
const WINDOW = 5;
let conflicts = 0;
for (let n = 0; n < count; n += 1) {
  for (;;) {
    const [last] = await store.readStream(sharedStream, { direction: 'backwards', maxCount: 1 });
    const byOthers = (last ? last.revision + 1 : 0) - n;
    if (byOthers < (writers - 1) * (n - WINDOW)) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
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
