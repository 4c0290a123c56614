import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import {
  authenticate,
  authorize,
  CommandRejected,
  requireCredential,
  type ApiState,
  type PlatformModule,
  type RouteAccess,
} from '@ccp/command-service';
import { BACKUP_NAME, MANIFEST_FILE, parseManifest, type Manifest } from './manifest.js';
import { directoryOffsite, parseOffsiteUrl, type OffsiteStore } from './offsite.js';
import { s3Offsite } from './s3-offsite.js';
import { takeBackup, type TakenBackup } from './take-backup.js';

export interface BackupSettings {
  /** Where backups are written; unset, the platform takes none (scheduled or on demand). */
  readonly dir?: string;
  /** Hours between scheduled backups; 0: on demand only. */
  readonly everyHours: number;
  /** How many backups are kept, the newest; older ones are deleted after each new backup. */
  readonly keep: number;
  /** A copy of each backup elsewhere (BACKUP_OFFSITE_URL), pruned to the same `keep`. */
  readonly offsite?: OffsiteStore;
}

const Env = z.object({
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_EVERY_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 31)
    .default(0),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
  BACKUP_OFFSITE_URL: z.string().min(1).optional(),
  BACKUP_S3_ENDPOINT: z.url().optional(),
});

/** BACKUP_DIR, BACKUP_EVERY_HOURS, BACKUP_KEEP; a bad value stops start-up with the variable named. */
export const backupSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): BackupSettings => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.BACKUP_EVERY_HOURS > 0 && e.BACKUP_DIR === undefined) {
    throw new Error('BACKUP_EVERY_HOURS needs BACKUP_DIR (the directory backups are written to)');
  }
  if (e.BACKUP_OFFSITE_URL !== undefined && e.BACKUP_DIR === undefined) {
    throw new Error('BACKUP_OFFSITE_URL needs BACKUP_DIR (backups are taken there, then copied)');
  }
  return {
    ...(e.BACKUP_DIR && { dir: resolve(e.BACKUP_DIR) }),
    everyHours: e.BACKUP_EVERY_HOURS,
    keep: e.BACKUP_KEEP,
    ...(e.BACKUP_OFFSITE_URL !== undefined && {
      offsite: offsiteStore(e.BACKUP_OFFSITE_URL, { endpoint: e.BACKUP_S3_ENDPOINT }),
    }),
  };
};

/** The store an offsite URL names: s3:// (credentials from the AWS_* variables) or a directory. */
export const offsiteStore = (
  url: string,
  options: { readonly endpoint?: string | undefined } = {},
): OffsiteStore => {
  const parsed = parseOffsiteUrl(url);
  return parsed.kind === 's3'
    ? s3Offsite({
        bucket: parsed.bucket,
        prefix: parsed.prefix,
        ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
      })
    : directoryOffsite(parsed.dir);
};

/**
 * Copies to `offsite` every local backup it lacks (one a failed copy left behind too), then deletes there all but
 * the newest `keep`. Returns what it copied and deleted.
 */
export const syncOffsite = async (
  dir: string,
  offsite: OffsiteStore,
  keep: number,
): Promise<{ copied: string[]; deleted: string[] }> => {
  const there = new Set(await offsite.list());
  const copied: string[] = [];
  for (const name of listBackups(dir).slice(-keep)) {
    if (there.has(name)) continue;
    await offsite.upload(join(dir, name));
    copied.push(name);
  }
  const all = await offsite.list();
  const deleted = all.slice(0, Math.max(0, all.length - keep));
  for (const name of deleted) await offsite.remove(name);
  return { copied, deleted };
};

/** The complete backups in `dir`, oldest first (a name is its creation instant). */
export const listBackups = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => BACKUP_NAME.test(name) && existsSync(join(dir, name, MANIFEST_FILE)))
        .sort()
    : [];

/** Deletes all but the newest `keep` backups in `dir`; returns the names deleted. */
export const pruneBackups = (dir: string, keep: number): string[] => {
  const all = listBackups(dir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const name of old) rmSync(join(dir, name), { recursive: true, force: true });
  return old;
};

/** The super admin's backup routes, in the form of every route table (see http/authorize.ts). */
export const BACKUP_ADMIN_ROUTES = {
  listBackups: {
    method: 'get',
    path: '/api/admin/backups',
    action: 'run the platform',
    roles: [],
    scope: 'session',
    tenant: 'credential',
  },
  takeBackup: {
    method: 'post',
    path: '/api/admin/backups',
    action: 'run the platform',
    roles: [],
    scope: 'session',
    tenant: 'credential',
  },
} as const satisfies Record<string, RouteAccess>;

const summary = (path: string, manifest: Manifest) => ({
  name: path.split('/').pop() ?? path,
  createdAt: manifest.createdAt,
  lastPosition: manifest.eventStore.lastPosition,
  events: manifest.eventStore.events,
  bytes: manifest.files.reduce((sum, file) => sum + file.size, 0),
});

/**
 * Backups taken by the running platform: every BACKUP_EVERY_HOURS into BACKUP_DIR (the newest BACKUP_KEEP kept)
 * and on demand by a super admin (POST /api/admin/backups). One backup at a time: a request while one runs
 * waits for it and answers with it. The schedule counts from the newest backup in the directory, so a restart
 * neither skips one nor takes one early.
 */
export const backupModule = (
  settings: BackupSettings,
  now: () => Date = () => new Date(),
): PlatformModule => ({
  name: 'backups',
  start: async (context) => {
    const { dir } = settings;
    if (dir !== undefined && context.config.eventStore.kind !== 'sqlite') {
      throw new Error(
        'BACKUP_DIR backs up the embedded profile (EVENT_STORE=sqlite); EventStoreDB is backed up with its own tools',
      );
    }
    let running: Promise<TakenBackup> | undefined;
    const backupNow = (): Promise<TakenBackup> => {
      if (dir === undefined) throw new Error('no BACKUP_DIR');
      running ??= (async () => {
        try {
          const taken = await takeBackup({ dataDir: context.config.dataDir, to: dir, now });
          const pruned = pruneBackups(dir, settings.keep);
          context.log(
            `backups: ${taken.path} (position ${taken.manifest.eventStore.lastPosition})` +
              (pruned.length > 0 ? `, deleted ${pruned.join(', ')}` : ''),
          );
          if (settings.offsite !== undefined) {
            // A failed copy leaves the local backup standing; the next backup copies it too.
            const { location } = settings.offsite;
            await syncOffsite(dir, settings.offsite, settings.keep).then(
              ({ copied, deleted }) =>
                context.log(
                  `backups: copied ${copied.join(', ') || 'nothing new'} to ${location}` +
                    (deleted.length > 0 ? `, deleted ${deleted.join(', ')} there` : ''),
                ),
              (error: unknown) =>
                context.log(
                  `backups: copy to ${location} failed: ${error instanceof Error ? error.message : String(error)}`,
                ),
            );
          }
          return taken;
        } finally {
          running = undefined;
        }
      })();
      return running;
    };

    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const period = settings.everyHours * 3_600_000;
    /** `failedAt`: when the last scheduled backup failed; the next try waits a while (a full disk stays full). */
    const schedule = (failedAt?: number) => {
      if (dir === undefined || period <= 0 || stopped) return;
      const newest = listBackups(dir).at(-1);
      const parsed = newest === undefined ? Number.NaN : Date.parse(nameToIso(newest));
      // A name that reads as no instant (edited by hand) counts as no backup: one is taken now.
      const last = Number.isNaN(parsed) ? undefined : parsed;
      const dueAt = Math.max(
        last === undefined ? 0 : last + period,
        failedAt === undefined ? 0 : failedAt + retryMs(period),
      );
      const wait = Math.max(0, dueAt - now().getTime());
      // setTimeout holds 2^31-1 ms at most (24.8 days); a longer wait is taken in steps.
      timer = setTimeout(
        () => {
          if (now().getTime() < dueAt) {
            schedule(failedAt);
            return;
          }
          backupNow().then(
            () => schedule(),
            (error: unknown) => {
              context.log(
                `backups: scheduled backup failed: ${error instanceof Error ? error.message : String(error)}`,
              );
              schedule(now().getTime());
            },
          );
        },
        Math.min(wait, 2 ** 31 - 1),
      );
      timer.unref();
    };
    schedule();

    const admin = new Router<ApiState>({ prefix: '/api/admin' });
    admin.use(authenticate(context.auth));
    const allow = (state: ApiState, route: RouteAccess) => authorize(requireCredential(state), route, {});
    const configured = (): string => {
      if (dir === undefined) {
        throw new CommandRejected(409, 'BACKUPS_NOT_CONFIGURED', 'backups are off: set BACKUP_DIR');
      }
      return dir;
    };
    admin.get('/backups', async (ctx) => {
      await allow(ctx.state, BACKUP_ADMIN_ROUTES.listBackups);
      const root = configured();
      // Which backups the offsite store holds; null when it cannot be asked right now.
      const offsite = await settings.offsite?.list().then(
        (names) => new Set(names),
        () => null,
      );
      const backups = [];
      for (const name of listBackups(root).reverse()) {
        const manifest = parseManifest(await readFile(join(root, name, MANIFEST_FILE), 'utf8'));
        backups.push({
          ...summary(join(root, name), manifest),
          ...(offsite !== undefined && { offsite: offsite === null ? null : offsite.has(name) }),
        });
      }
      ctx.body = {
        backups,
        ...(settings.offsite !== undefined && {
          offsite: { location: settings.offsite.location, reachable: offsite !== null },
        }),
      };
    });
    admin.post('/backups', async (ctx) => {
      await allow(ctx.state, BACKUP_ADMIN_ROUTES.takeBackup);
      configured();
      const taken = await backupNow();
      ctx.status = 201;
      ctx.body = summary(taken.path, taken.manifest);
    });

    return {
      http: admin.routes() as Middleware,
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        // The stores close after this module: a backup under way finishes first.
        await running?.catch(() => undefined);
      },
    };
  },
});

/** A failed scheduled backup is tried again after a tenth of the period, at most after 15 minutes. */
const retryMs = (period: number): number => Math.min(period / 10, 15 * 60_000);

/** `ccp-backup-2026-01-02T03-04-05-678Z` → `2026-01-02T03:04:05.678Z`. */
const nameToIso = (name: string): string =>
  name.replace(/^ccp-backup-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1T$2:$3:$4.$5Z');
