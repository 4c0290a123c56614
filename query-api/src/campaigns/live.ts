import type { ReportContext } from '../analytics/reports.js';
import { createLiveFeed, type LiveFeed } from '../live/feed.js';
import { campaignProgress, parseSettings, type Progress } from './progress.js';

/**
 * A campaign's progress as Server-Sent Events (`event: progress`): at once, then each time it changes. Each
 * watched campaign is polled, but progress is only worked out again when the processors wrote something new
 * for it (the highest row version of its tables, its calls and their usage) or the minute turned (the next
 * window's instant); otherwise the poll answers the last progress, which the feed does not send again.
 */

const campaignKey = (tenantId: string, campaignId: string): string => JSON.stringify([tenantId, campaignId]);

const keyParts = (key: string): [string, string] => {
  const [tenantId, campaignId] = JSON.parse(key) as [string, string];
  return [tenantId, campaignId];
};

const WRITTEN_SQL = `SELECT
  (SELECT max(version) FROM campaigns WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String}) AS c,
  (SELECT max(version) FROM campaign_leads WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String}) AS l,
  (SELECT max(version) FROM campaign_imports WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String}) AS i,
  (SELECT max(version) FROM campaign_attempts WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String}) AS a,
  (SELECT max(version) FROM calls WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String}) AS k,
  (SELECT max(version) FROM usage_events WHERE tenant_id = {tenantId:String} AND call_id IN (
     SELECT call_id FROM calls WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String})) AS u`;

export interface CampaignLiveFeed {
  watch(ctx: Parameters<LiveFeed['watch']>[0], tenantId: string, campaignId: string): void;
  close(): void;
}

export const createCampaignLiveFeed = (options: {
  readonly reportContext: (tenantId: string) => Promise<ReportContext>;
  readonly intervalMs?: number;
  readonly heartbeatMs?: number;
  readonly log: (message: string) => void;
}): CampaignLiveFeed => {
  const last = new Map<string, { readonly written: string; readonly progress: Progress | null }>();

  const snapshot = async (key: string): Promise<Progress | null> => {
    const [tenantId, campaignId] = keyParts(key);
    const ctx = await options.reportContext(tenantId);
    const params = { tenantId, campaignId };
    const [versions] = await ctx.store.query<Record<string, unknown>>(WRITTEN_SQL, params);
    const written = JSON.stringify([versions, Math.floor(ctx.now.getTime() / 60_000)]);
    const cached = last.get(key);
    if (cached?.written === written) return cached.progress;
    const [row] = await ctx.store.query<{ status: string; settings: string }>(
      `SELECT status, settings FROM campaigns FINAL
        WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String}`,
      params,
    );
    const progress =
      row === undefined
        ? null
        : ((
            await campaignProgress(
              ctx,
              new Map([[campaignId, { status: row.status, settings: parseSettings(row.settings) }]]),
            )
          ).get(campaignId) ?? null);
    last.set(key, { written, progress });
    return progress;
  };

  const feed = createLiveFeed({
    snapshot,
    event: 'progress',
    log: options.log,
    ...(options.intervalMs !== undefined && { intervalMs: options.intervalMs }),
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
  });

  return {
    watch: (ctx, tenantId, campaignId) => {
      const key = campaignKey(tenantId, campaignId);
      // The poller stops with its last watcher; its cache goes with it.
      ctx.req.once('close', () => setImmediate(() => last.delete(key)));
      feed.watch(ctx, key);
    },
    close: () => {
      feed.close();
      last.clear();
    },
  };
};
