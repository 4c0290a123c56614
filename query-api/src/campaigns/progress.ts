import { z } from 'zod';
import {
  CampaignSettings,
  DialOutcome,
  wallClockToInstant,
  type CampaignSettings as Settings,
} from '@ccp/schemas';
import { nextCallingWindowOpening } from '@ccp/command-service';
import type { QueryParams, ReadStore } from '@ccp/projections';
import { campaignCallResults } from '../analytics/campaigns.js';
import { num, rate } from '../analytics/numbers.js';
import type { ReportContext } from '../analytics/reports.js';

/**
 * A campaign's progress from the campaigns processor's tables. A lead counts once its import is committed (or a
 * callback added it); its state is its last attempt's (not_placed attempts aside: the platform did not dial):
 * none yet → pending, not ended → in progress, ended with a retry time → pending again, ended for good → done.
 */

/** Every outcome a lead can end with: all but not_placed, which is no attempt at all. */
type DoneOutcome = Exclude<DialOutcome, 'not_placed'>;
const DONE_OUTCOMES = DialOutcome.options.filter((o): o is DoneOutcome => o !== 'not_placed');

export const Progress = z.object({
  leads: z.number().int(),
  pending: z.number().int(),
  inProgress: z.number().int(),
  done: z.number().int(),
  doneByOutcome: z.object(
    Object.fromEntries(DONE_OUTCOMES.map((o) => [o, z.number().int()])) as Record<DoneOutcome, z.ZodNumber>,
  ),
  attempts: z.number().int().describe('Dial attempts started (the platform not dialling after all aside)'),
  connected: z.number().int().describe('Attempts answered by a person or a machine'),
  connectRate: z.number().nullable().describe('connected / attempts ended; null before any ended'),
  conversions: z.number().int().describe("The campaign's calls in which an appointment was booked"),
  costUsd: z.number().describe("Minutes and LLM tokens of the campaign's calls at list prices"),
  nextWindowAt: z.iso
    .datetime()
    .nullable()
    .describe(
      'When the next calling window opens in the campaign zone; null when open now or none in 14 days',
    ),
});
export type Progress = z.infer<typeof Progress>;

/** Leads that count, with their state, as a subquery over campaign_leads and campaign_attempts. */
export const LEAD_STATES_SQL = `
  SELECT l.campaign_id AS campaign_id, l.lead_id AS lead_id, l.first AS first,
         a.tries AS tries, a.last_outcome AS last_outcome, a.last_retry_at AS last_retry_at,
         multiIf(a.tries = 0, 'pending', a.open = 1, 'in_progress', a.will_retry = 1, 'pending', 'done') AS state
    FROM (SELECT campaign_id, lead_id, min(version) AS first FROM campaign_leads FINAL
           WHERE tenant_id = {tenantId:String} AND campaign_id IN {campaigns:Array(String)}
             AND (import_id = '' OR (campaign_id, import_id) IN (
                   SELECT campaign_id, import_id FROM campaign_imports FINAL
                    WHERE tenant_id = {tenantId:String} AND campaign_id IN {campaigns:Array(String)}))
           GROUP BY campaign_id, lead_id) AS l
    LEFT JOIN (SELECT campaign_id, lead_id, count() AS tries,
                      argMax(isNull(ended_at), seq) AS open,
                      argMax(isNotNull(retry_at), seq) AS will_retry,
                      argMax(outcome, seq) AS last_outcome,
                      argMax(retry_at, seq) AS last_retry_at
                 FROM campaign_attempts FINAL
                WHERE tenant_id = {tenantId:String} AND campaign_id IN {campaigns:Array(String)}
                  AND outcome != 'not_placed'
                GROUP BY campaign_id, lead_id) AS a
      ON l.campaign_id = a.campaign_id AND l.lead_id = a.lead_id`;

export interface CampaignSchedule {
  readonly status: string;
  readonly settings: Settings;
}

/** Statuses in which the campaign may still call: the others have no next window. */
const CALLING: ReadonlySet<string> = new Set(['scheduled', 'running', 'paused']);

/**
 * When the campaign's next calling window opens in its own zone (the dialer's schedule function, under the
 * default legal hours: leads' countries vary), from now or from its start date when that is later; null when
 * a window is open now, when none opens within the 14 days the function looks ahead, or when the campaign
 * will not call again (a draft, or ended).
 */
export const nextWindowOpening = (campaign: CampaignSchedule, now: Date): string | null => {
  if (!CALLING.has(campaign.status)) return null;
  const { settings } = campaign;
  const [year, month, day] = settings.startDate.split('-').map(Number) as [number, number, number];
  const start = wallClockToInstant({ year, month, day, hour: 0, minute: 0 }, settings.timeZone);
  const from = start.getTime() > now.getTime() ? start : now;
  const opening = nextCallingWindowOpening(settings, [], undefined, from);
  return opening === undefined || opening.getTime() === now.getTime() ? null : opening.toISOString();
};

export const parseSettings = (json: string): Settings => CampaignSettings.parse(JSON.parse(json));

const emptyProgress = (): Progress => ({
  leads: 0,
  pending: 0,
  inProgress: 0,
  done: 0,
  doneByOutcome: Object.fromEntries(DONE_OUTCOMES.map((o) => [o, 0])) as Record<DoneOutcome, number>,
  attempts: 0,
  connected: 0,
  connectRate: null,
  conversions: 0,
  costUsd: 0,
  nextWindowAt: null,
});

const isDoneOutcome = (value: string): value is DoneOutcome =>
  (DONE_OUTCOMES as readonly string[]).includes(value);

const leadCounts = async (store: ReadStore, params: QueryParams, into: Map<string, Progress>) => {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT campaign_id, state, if(state = 'done', last_outcome, '') AS outcome, count() AS n
       FROM (${LEAD_STATES_SQL}) GROUP BY campaign_id, state, outcome`,
    params,
  );
  for (const row of rows) {
    const progress = into.get(String(row['campaign_id']));
    if (progress === undefined) continue;
    const n = num(row['n']);
    progress.leads += n;
    const state = String(row['state']);
    if (state === 'pending') progress.pending += n;
    else if (state === 'in_progress') progress.inProgress += n;
    else {
      progress.done += n;
      const outcome = String(row['outcome']);
      if (isDoneOutcome(outcome)) progress.doneByOutcome[outcome] += n;
    }
  }
};

const attemptCounts = async (store: ReadStore, params: QueryParams, into: Map<string, Progress>) => {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT campaign_id, count() AS attempts, countIf(outcome IN ('answered', 'voicemail')) AS connected,
            countIf(ended_at IS NOT NULL) AS ended
       FROM campaign_attempts FINAL
      WHERE tenant_id = {tenantId:String} AND campaign_id IN {campaigns:Array(String)} AND outcome != 'not_placed'
      GROUP BY campaign_id`,
    params,
  );
  for (const row of rows) {
    const progress = into.get(String(row['campaign_id']));
    if (progress === undefined) continue;
    progress.attempts = num(row['attempts']);
    progress.connected = num(row['connected']);
    progress.connectRate = rate(progress.connected, num(row['ended']));
  }
};

/** The progress of each of the given campaigns of the tenant (each of them, even one without leads yet). */
export const campaignProgress = async (
  ctx: ReportContext,
  campaigns: ReadonlyMap<string, CampaignSchedule>,
): Promise<Map<string, Progress>> => {
  const ids = [...campaigns.keys()];
  const progress = new Map(ids.map((id) => [id, emptyProgress()]));
  if (ids.length === 0) return progress;
  const params = { tenantId: ctx.tenantId, campaigns: ids };
  await leadCounts(ctx.store, params, progress);
  await attemptCounts(ctx.store, params, progress);
  const calls = await campaignCallResults(ctx, {
    sql: `tenant_id = {tenantId:String} AND direction = 'outbound' AND campaign_id IN {campaigns:Array(String)}`,
    params,
  });
  for (const [id, entry] of progress) {
    const results = calls.get(id);
    entry.conversions = results?.conversions ?? 0;
    entry.costUsd = results?.costUsd ?? 0;
    const campaign = campaigns.get(id);
    entry.nextWindowAt = campaign === undefined ? null : nextWindowOpening(campaign, ctx.now);
  }
  return progress;
};
