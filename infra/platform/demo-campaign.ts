import {
  CommitLeadImport,
  CreateCampaign,
  DEFAULT_RETRY_POLICY,
  StageLeads,
  SYSTEM_ACTOR,
  wallClockAt,
  type CommandDefinition,
  type Lead,
} from '@ccp/schemas';
import type { PlatformContext } from '@ccp/command-service';
import type { z } from 'zod';
import { DEMO_NUMBER, DEMO_TENANT } from './demo-seed.js';

/**
 * The demo's outbound campaign: a draft recall of patients due for a check-up, with a dozen leads in three time
 * zones, for the console's Campaigns screens. It stays a draft, so nothing is dialled until someone schedules
 * it; then the dialer calls through the local carrier (whose callees pick up), inside the demo's windows.
 */
export const DEMO_CAMPAIGN = 'spring-recall';

const PATIENTS: readonly [first: string, last: string, phone: string, zone?: string][] = [
  ['Ana', 'García', '+15550200101'],
  ['Ben', 'Okafor', '+15550200102'],
  ['Chloe', 'Martin', '+15550200103'],
  ['Diego', 'Ramos', '+15550200104', 'America/Chicago'],
  ['Emma', 'Schultz', '+15550200105', 'America/Chicago'],
  ['Farid', 'Haddad', '+15550200106', 'America/Los_Angeles'],
  ['Grace', 'Lee', '+15550200107', 'America/Los_Angeles'],
  ['Hugo', 'Silva', '+15550200108'],
  ['Iris', 'Novak', '+15550200109'],
  ['Jon', 'Berg', '+15550200110', 'America/Chicago'],
  ['Kira', 'Tanaka', '+15550200111', 'America/Los_Angeles'],
  ['Luis', 'Moreno', '+15550200112'],
];

/** Seeds the demo campaign once; a data directory that already has it (or had it) is left as it is. */
export const seedDemoCampaign = async (context: PlatformContext): Promise<boolean> => {
  const streamId = `campaign-${DEMO_TENANT}.${DEMO_CAMPAIGN}`;
  if ((await context.store.readStream(streamId)).length > 0) return false;
  const send = async <D extends CommandDefinition>(definition: D, input: z.input<D['data']>) => {
    await context.handler.handleTrusted(definition.type, input, {
      actor: SYSTEM_ACTOR,
      correlationId: 'demo-seed',
    });
  };
  const today = wallClockAt(new Date(), 'America/New_York');
  const startDate = `${today.year}-${String(today.month).padStart(2, '0')}-${String(today.day).padStart(2, '0')}`;
  await send(CreateCampaign, {
    tenantId: DEMO_TENANT,
    campaignId: DEMO_CAMPAIGN,
    name: 'Spring check-up recall',
    agentId: 'lucas',
    callerIds: [DEMO_NUMBER],
    startDate,
    timeZone: 'America/New_York',
    // Every day, so the demo dials on a weekend too; the legal floor (08:00-21:00 local) holds whatever the windows.
    windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: 9 * 60, end: 20 * 60 }],
    holidays: [],
    retry: DEFAULT_RETRY_POLICY,
    pacing: { maxConcurrentCalls: 2, callsPerSecond: 0.5, inboundReserve: 1 },
    voicemail: {
      action: 'leave_message',
      message:
        'Hi {{first_name}}, this is Lucas from Bright Smile Dental: you are due for a check-up. Call us back at this number to book. Thank you!',
    },
  });
  const leads: Lead[] = PATIENTS.map(([first, last, phone, zone]) => ({
    leadId: `lead-demo-${phone.slice(-3)}`,
    phone,
    name: `${first} ${last}`,
    country: 'US',
    timeZones: [zone ?? 'America/New_York'],
    variables: { first_name: first, last_name: last, last_visit: '2025-10' },
  }));
  await send(StageLeads, {
    tenantId: DEMO_TENANT,
    campaignId: DEMO_CAMPAIGN,
    importId: 'demo-import',
    chunk: 0,
    leads,
  });
  await send(CommitLeadImport, {
    tenantId: DEMO_TENANT,
    campaignId: DEMO_CAMPAIGN,
    importId: 'demo-import',
    chunks: 1,
    rows: leads.length,
    skippedDoNotCall: 0,
    source: 'json',
    fileName: 'demo-patients.json',
  });
  return true;
};
