/**
 * npm run backup -- --to <dir | s3://bucket/prefix> [--data-dir <dir>]
 *     an online backup of the embedded platform's data directory (DATA_DIR, default .data) into a new
 *     ccp-backup-<instant> directory under <dir>, or copied to the bucket; safe while the platform runs
 * npm run restore -- --from <backup | s3://bucket/prefix/ccp-backup-…> --data-dir <new dir> [--erasures …]
 *     a backup into a new, empty data directory; start the platform on it with DATA_DIR=<new dir>
 *
 * S3: credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the SDK's other sources), AWS_REGION, and
 * BACKUP_S3_ENDPOINT for an S3-compatible service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BackupError } from './manifest.js';
import { restoreBackup } from './restore.js';
import { offsiteStore } from './scheduled-backups.js';
import { takeBackup } from './take-backup.js';

const usage = [
  'usage: npm run backup -- --to <dir | s3://bucket/prefix> [--data-dir <dir>]',
  '       npm run restore -- --from <backup | s3://bucket/prefix/name> --data-dir <new dir> [--erasures <live data dir | subjects.json>]',
].join('\n');

const endpoint = { endpoint: process.env.BACKUP_S3_ENDPOINT };

/** A scratch directory for a backup on its way to or from S3, removed whatever happens. */
const viaScratch = async <T>(work: (scratch: string) => Promise<T>): Promise<T> => {
  const scratch = await mkdtemp(join(tmpdir(), 'ccp-backup-s3-'));
  try {
    return await work(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
};

const backup = async (args: string[]): Promise<void> => {
  const { values } = parseArgs({
    args,
    options: { to: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  if (values.to === undefined) throw new Error(`--to is required\n${usage}`);
  const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? '.data';
  const to = values.to;
  const taken = to.startsWith('s3://')
    ? await viaScratch(async (scratch) => {
        const local = await takeBackup({ dataDir, to: scratch });
        const store = offsiteStore(to, endpoint);
        await store.upload(local.path);
        return { ...local, path: `${store.location} ${local.path.split('/').pop() ?? ''}` };
      })
    : await takeBackup({ dataDir, to });
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
  const { from, erasures } = values;
  const dataDir = values['data-dir'];
  const restore = (path: string) =>
    restoreBackup({ from: path, dataDir, ...(erasures !== undefined && { erasures }) });
  const report = from.startsWith('s3://')
    ? await viaScratch(async (scratch) => {
        const name = from.split('/').filter(Boolean).pop() ?? '';
        const store = offsiteStore(from.slice(0, from.lastIndexOf(name)), endpoint);
        return restore(await store.download(name, scratch));
      })
    : await restore(from);
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
