import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { BackupError, MANIFEST_FILE } from './manifest.js';
import { checkedName, filesToCopy, type OffsiteStore } from './offsite.js';

export interface S3OffsiteOptions {
  readonly bucket: string;
  /** Keys start with it (no leading or trailing slash needed). */
  readonly prefix: string;
  /** An S3-compatible service (MinIO, R2, the tests' stand-in): path-style addressing. Absent: AWS itself. */
  readonly endpoint?: string;
  /** AWS_REGION when absent, else us-east-1. */
  readonly region?: string;
  /** Absent: the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const failed = (what: string, error: unknown): BackupError =>
  new BackupError(
    'BACKUP_OFFSITE_FAILED',
    `${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );

/** A bucket of an S3-compatible service through the official AWS SDK (v3). */
export const s3Offsite = (options: S3OffsiteOptions): OffsiteStore => {
  const config: S3ClientConfig = {
    region: options.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
    // S3-compatible services take path-style addresses; many refuse the SDK's streamed (aws-chunked) checksums,
    // which AWS itself does not require on a PutObject.
    ...(options.endpoint !== undefined && {
      endpoint: options.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    ...(options.credentials !== undefined && { credentials: { ...options.credentials } }),
  };
  const client = new S3Client(config);
  const { bucket } = options;
  const base = options.prefix.replace(/^\/+|\/+$/g, '');
  const keyOf = (name: string, file = ''): string => [base, name, file].filter(Boolean).join('/');

  const keysUnder = async (prefix: string): Promise<string[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  };

  const list = async (): Promise<string[]> => {
    const keys = await keysUnder(base === '' ? '' : `${base}/`).catch((error: unknown) => {
      throw failed(`listing s3://${bucket}/${base}`, error);
    });
    const names = keys.flatMap((key) => {
      const [name, file, ...more] = key.slice(base === '' ? 0 : base.length + 1).split('/');
      return file === MANIFEST_FILE && more.length === 0 && name !== undefined ? [name] : [];
    });
    return names.filter((name) => /^ccp-backup-/.test(name)).sort();
  };

  const removeKeys = async (keys: readonly string[]): Promise<void> => {
    for (let i = 0; i < keys.length; i += 1000) {
      await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  };

  return {
    location: `s3://${bucket}/${base}${options.endpoint === undefined ? '' : ` at ${options.endpoint}`}`,
    list,
    async upload(from) {
      const name = checkedName(from.split('/').filter(Boolean).pop() ?? '');
      try {
        // The manifest last: until it is there, the copy is not listed.
        await removeKeys([keyOf(name, MANIFEST_FILE)]);
        for (const file of await filesToCopy(from)) {
          const path = join(from, file);
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: keyOf(name, file),
              Body: createReadStream(path),
              ContentLength: (await stat(path)).size,
            }),
          );
        }
      } catch (error) {
        throw error instanceof BackupError
          ? error
          : failed(`copying ${name} to s3://${bucket}/${base}`, error);
      }
    },
    async download(name, into) {
      if (!(await list()).includes(checkedName(name))) {
        throw new BackupError('BACKUP_NOT_FOUND', `no backup ${name} in s3://${bucket}/${base}`);
      }
      const target = join(into, name);
      await mkdir(target, { mode: 0o700 });
      const fetchFile = async (file: string): Promise<void> => {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(name, file) }));
        if (!(object.Body instanceof Readable)) throw new Error(`no body for ${file}`);
        await pipeline(object.Body, createWriteStream(join(target, file), { mode: 0o600 }));
      };
      try {
        await fetchFile(MANIFEST_FILE);
        for (const file of await filesToCopy(target)) if (file !== MANIFEST_FILE) await fetchFile(file);
      } catch (error) {
        throw error instanceof BackupError
          ? error
          : failed(`fetching ${name} from s3://${bucket}/${base}`, error);
      }
      return target;
    },
    async remove(name) {
      try {
        await removeKeys(await keysUnder(`${keyOf(checkedName(name))}/`));
      } catch (error) {
        throw error instanceof BackupError
          ? error
          : failed(`deleting ${name} from s3://${bucket}/${base}`, error);
      }
    },
  };
};
