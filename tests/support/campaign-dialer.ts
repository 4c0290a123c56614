import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import type { CommandHandler, EventStore } from '@ccp/command-service';

/**
 * Campaigns on the demo tenant for the dialer's end-to-end tests (tests/e2e/campaign-dialer*.test.ts): a
 * campaign created, given leads (StageLeads + CommitLeadImport, as the import endpoint sends them) and
 * scheduled through the command handler, and its stream read back.
 */

export interface TestLead {
  readonly leadId: string;
  readonly phone: string;
  readonly name?: string;
  readonly variables?: Record<string, string>;
}

export const trusted = (handler: CommandHandler, type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR });

/** Every day 08:00–21:00 (the default legal floor), in the campaign's zone. */
export const ALL_DAY = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: 480, end: 1260 }];

export const launchCampaign = async (
  handler: CommandHandler,
  campaign: {
    readonly tenantId: string;
    readonly campaignId: string;
    readonly agentId: string;
    readonly callerIds: readonly string[];
    readonly startDate: string;
    readonly timeZone?: string;
    readonly holidays?: readonly string[];
    readonly leads: readonly TestLead[];
    readonly retry: Record<string, unknown>;
    readonly pacing: Record<string, unknown>;
    readonly voicemail: Record<string, unknown>;
  },
): Promise<void> => {
  const { tenantId, campaignId } = campaign;
  await trusted(handler, 'CreateCampaign', {
    tenantId,
    campaignId,
    name: `Campaign ${campaignId}`,
    agentId: campaign.agentId,
    callerIds: campaign.callerIds,
    startDate: campaign.startDate,
    timeZone: campaign.timeZone ?? 'America/New_York',
    windows: ALL_DAY,
    holidays: campaign.holidays ?? [],
    retry: campaign.retry,
    pacing: campaign.pacing,
    voicemail: campaign.voicemail,
  });
  const chunks = Math.ceil(campaign.leads.length / 1000);
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    await trusted(handler, 'StageLeads', {
      tenantId,
      campaignId,
      importId: 'import-1',
      chunk,
      leads: campaign.leads.slice(chunk * 1000, chunk * 1000 + 1000).map((lead) => ({
        timeZones: [],
        variables: {},
        ...lead,
      })),
    });
  }
  await trusted(handler, 'CommitLeadImport', {
    tenantId,
    campaignId,
    importId: 'import-1',
    chunks,
    rows: campaign.leads.length,
    skippedDoNotCall: 0,
    source: 'json',
  });
  await trusted(handler, 'ScheduleCampaign', { tenantId, campaignId });
};

export const campaignEvents = async (
  store: EventStore,
  tenantId: string,
  campaignId: string,
): Promise<EventEnvelope[]> =>
  (await store.readStream(`campaign-${tenantId}.${campaignId}`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });

export const dataOf = <T>(events: readonly EventEnvelope[], type: string): T[] =>
  events.filter((e) => e.type === type).map((e) => e.data as T);

/** Polls until `done` holds (or fails the test after `timeoutMs`, saying what was last seen). */
export const waitFor = async <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/**
 * The pacing invariant over dial starts (instants in ms): at no point more starts than the rate allows since
 * the first, plus one (the first is free).
 */
export const pacingHolds = (starts: readonly number[], callsPerSecond: number): boolean => {
  const sorted = [...starts].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  return sorted.every((at, index) => index + 1 <= Math.ceil(((at - first) / 1000) * callsPerSecond) + 1);
};
