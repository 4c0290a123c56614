/**
 * npm run backup -- --to <dir> [--data-dir <dir>]
 *     an online backup of the embedded platform's data directory (DATA_DIR, default .data) into a new
 *     ccp-backup-<instant> directory under <dir>; safe while the platform runs
 * npm run restore -- --from <backup> --data-dir <new dir> [--erasures <live data dir | backup | subjects.json>]
 *     a backup into a new, empty data directory; start the platform on it with DATA_DIR=<new dir>
 */
import { parseArgs } from 'node:util';
import { BackupError } from './manifest.js';
import { restoreBackup } from './restore.js';
import { takeBackup } from './take-backup.js';

const usage = [
  'usage: npm run backup -- --to <dir> [--data-dir <dir>]',
  '       npm run restore -- --from <backup> --data-dir <new dir> [--erasures <live data dir | subjects.json>]',
].join('\n');

const backup = async (args: string[]): Promise<void> => {
  const { values } = parseArgs({
    args,
    options: { to: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  if (values.to === undefined) throw new Error(`--to is required\n${usage}`);
  const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? '.data';
  const taken = await takeBackup({ dataDir, to: values.to });
  const { manifest } = taken;
  console.log(`backup ${taken.path}`);
  console.log(`  events:  ${manifest.eventStore.events} (last position ${manifest.eventStore.lastPosition})`);
  for (const file of manifest.files)
    console.log(`  ${file.name.padEnd(18)} ${file.size} bytes  ${file.kind}`);
  for (const file of manifest.excluded) console.log(`  not copied: ${file.name} (${file.reason})`);
};

const restore = async (args: string[]): Promise<void> => {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, 'data-dir': { type: 'string' }, erasures: { type: 'string' } },
    strict: true,
  });
  if (values.from === undefined || values['data-dir'] === undefined) {
    throw new Error(`--from and --data-dir are required\n${usage}`);
  }
  const report = await restoreBackup({
    from: values.from,
    dataDir: values['data-dir'],
    ...(values.erasures !== undefined && { erasures: values.erasures }),
  });
  console.log(`restored ${report.manifest.createdAt} into ${report.dataDir}`);
  console.log(
    `  events: ${report.manifest.eventStore.events} (last position ${report.manifest.eventStore.lastPosition})`,
  );
  console.log(
    `  erased subjects: ${report.erasedSubjects} known, ${report.erasedKeys} keys deleted from the backup`,
  );
  if (values.erasures === undefined) {
    console.log('  no --erasures given: subjects erased after this backup was taken are not known to it');
  }
  console.log(
    `  read store: rebuilt from the event log when the platform starts (${report.readSideCheckpoints} processor checkpoints reset)`,
  );
  console.log(`start it with: DATA_DIR=${report.dataDir} npm start`);
};

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'backup') await backup(rest);
  else if (command === 'restore') await restore(rest);
  else throw new Error(usage);
} catch (error) {
  console.error(
    error instanceof BackupError
      ? `${error.code}: ${error.message}`
      : String(error instanceof Error ? error.message : error),
  );
  process.exitCode = 1;
}
