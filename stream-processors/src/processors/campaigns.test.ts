import { afterAll, describe, expect, it } from 'vitest';
import { ERASED } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { campaignLog, campaignSettings, lead } from './campaign-testing.js';
import { createCampaignsProcessor } from './campaigns.js';
import { handleAll, handleWithCrash, inBatchesOf, tableRows, testReadStores } from './processor-testing.js';

const stores = testReadStores('campaigns');
afterAll(() => stores.close());

const TABLES: Record<string, string> = {
  campaigns: 'campaign_id',
  campaign_leads: 'campaign_id, lead_id, import_id',
  campaign_imports: 'campaign_id, import_id',
  campaign_attempts: 'campaign_id, attempt_id',
  do_not_call: 'number',
};

const snapshot = async (store: ReadStore, tenantId: string) => {
  const all: Record<string, unknown> = {};
  for (const [table, order] of Object.entries(TABLES))
    all[table] = await tableRows(store, table, tenantId, order);
  return all;
};

/** Leads of a campaign that count: staged by a committed import, or added by a callback. */
const committedLeads = async (store: ReadStore, tenantId: string, campaignId: string): Promise<string[]> =>
  (
    await store.query<{ lead_id: string }>(
      `SELECT DISTINCT lead_id FROM campaign_leads FINAL
        WHERE tenant_id = {t:String} AND campaign_id = {c:String}
          AND (import_id = '' OR import_id IN (SELECT import_id FROM campaign_imports FINAL
                                                WHERE tenant_id = {t:String} AND campaign_id = {c:String}))
        ORDER BY lead_id`,
      { t: tenantId, c: campaignId },
    )
  ).map((row) => row.lead_id);

/**
 * Campaign spring: created, edited, a committed import of three leads, an import staged but never committed,
 * scheduled and started, lead 1 answered at once, lead 2 busy (retried) then answered, lead 3 dialled and not
 * ended yet; the do-not-call list gets two numbers and loses one.
 */
const springLog = (tenantId: string) => {
  const log = campaignLog(tenantId);
  const c = (type: string, data: Record<string, unknown>) => log.campaign('spring', type, data);
  c('CampaignCreated', campaignSettings('Spring recall'));
  log.at('2024-03-01T09:05:00.000Z');
  c('CampaignUpdated', { changes: { name: 'Spring recall 2024' }, revision: 2 });
  c('LeadsStaged', { importId: 'imp-1', chunk: 0, leads: [lead(1), lead(2)] });
  c('LeadsStaged', { importId: 'imp-1', chunk: 1, leads: [lead(3)] });
  c('LeadsImported', {
    importId: 'imp-1',
    rows: 4,
    added: 3,
    merged: 0,
    skippedDoNotCall: 1,
    source: 'csv',
    fileName: 'spring.csv',
  });
  c('LeadsStaged', { importId: 'imp-2', chunk: 0, leads: [lead(4)] });
  c('CampaignScheduled', {});
  log.at('2024-03-04T14:00:00.000Z');
  c('CampaignStarted', {});
  const dial = (attemptId: string, n: number, attempt: number) =>
    c('DialStarted', {
      attemptId,
      leadId: lead(n)['leadId'],
      attempt,
      callerId: '+15557650002',
      leaseUntil: '2024-03-04T15:00:00.000Z',
    });
  dial('att-1', 1, 1);
  dial('att-2', 2, 1);
  c('DialPlaced', { attemptId: 'att-1', callId: 'CA-1' });
  log.at('2024-03-04T14:03:00.000Z');
  c('DialEnded', {
    attemptId: 'att-1',
    leadId: lead(1)['leadId'],
    attempt: 1,
    outcome: 'answered',
    callId: 'CA-1',
  });
  c('DialEnded', {
    attemptId: 'att-2',
    leadId: lead(2)['leadId'],
    attempt: 1,
    outcome: 'busy',
    retryAt: '2024-03-04T14:33:00.000Z',
  });
  log.at('2024-03-04T14:33:00.000Z');
  dial('att-3', 2, 2);
  dial('att-4', 3, 1);
  c('DialPlaced', { attemptId: 'att-3', callId: 'CA-3' });
  log.at('2024-03-04T14:36:00.000Z');
  c('DialEnded', {
    attemptId: 'att-3',
    leadId: lead(2)['leadId'],
    attempt: 2,
    outcome: 'answered',
    callId: 'CA-3',
  });
  log.at('2024-03-04T15:00:00.000Z');
  c('CampaignPaused', { reason: 'lunch', by: 'person' });
  log.doNotCall('DoNotCallAdded', { numbers: ['+15550109999', '+15550108888'], source: 'manual' });
  log.at('2024-03-04T15:10:00.000Z');
  log.doNotCall('DoNotCallRemoved', { numbers: ['+15550108888'] });
  return log.events;
};

describe('campaigns processor', () => {
  it('projects settings, status, committed leads, attempts and the do-not-call list', async () => {
    const store = await stores.open('campaigns_projects');
    await handleAll(createCampaignsProcessor(), store, [springLog('acme')]);

    const [campaign] = await tableRows(store, 'campaigns', 'acme', 'campaign_id');
    expect(campaign).toMatchObject({
      campaign_id: 'spring',
      kind: 'leads',
      name: 'Spring recall 2024',
      status: 'paused',
      paused_reason: 'lunch',
      revision: 2,
    });
    expect(JSON.parse(String(campaign?.['settings']))).toMatchObject({
      name: 'Spring recall 2024',
      agentId: 'agent-1',
      timeZone: 'America/New_York',
    });

    // imp-2 was staged but never committed: its lead does not count.
    expect(await committedLeads(store, 'acme', 'spring')).toEqual([1, 2, 3].map((n) => lead(n)['leadId']));
    const [leadRow] = await tableRows(store, 'campaign_leads', 'acme', 'lead_id');
    expect(leadRow).toMatchObject({ phone: '+15550100001', name: 'Lead 1', import_id: 'imp-1' });
    expect(JSON.parse(String(leadRow?.['variables']))).toEqual({ first_name: 'Lead1' });
    expect(await tableRows(store, 'campaign_imports', 'acme', 'import_id')).toMatchObject([
      { import_id: 'imp-1', rows: 4, added: 3, skipped_do_not_call: 1, file_name: 'spring.csv' },
    ]);

    const attempts = await tableRows(store, 'campaign_attempts', 'acme', 'attempt_id');
    expect(
      attempts.map((a) => [a['attempt_id'], a['outcome'], a['call_id'], a['retry_at'], a['ended_at']]),
    ).toEqual([
      ['att-1', 'answered', 'CA-1', null, '2024-03-04 14:03:00.000'],
      ['att-2', 'busy', '', '2024-03-04 14:33:00.000', '2024-03-04 14:03:00.000'],
      ['att-3', 'answered', 'CA-3', null, '2024-03-04 14:36:00.000'],
      ['att-4', '', '', null, null],
    ]);

    const list = await tableRows(store, 'do_not_call', 'acme', 'number');
    expect(list.map((r) => [r['number'], r['removed'], r['source']])).toEqual([
      ['+15550108888', 1, 'manual'],
      ['+15550109999', 0, 'manual'],
    ]);
  });

  it('an outcome ends the attempt it names, and a committed import makes its staged leads count', async () => {
    const store = await stores.open('campaigns_outcome');
    const processor = createCampaignsProcessor();
    const log = campaignLog('acme');
    const c = (type: string, data: Record<string, unknown>) => log.campaign('later', type, data);
    c('CampaignCreated', campaignSettings('Later'));
    c('LeadsStaged', { importId: 'imp-9', chunk: 0, leads: [lead(7)] });
    c('DialStarted', {
      attemptId: 'att-9',
      leadId: lead(7)['leadId'],
      attempt: 1,
      callerId: '+15557650002',
      leaseUntil: '2024-03-01T10:00:00.000Z',
    });
    await handleAll(processor, store, [log.events.splice(0)]);
    expect(await committedLeads(store, 'acme', 'later')).toEqual([]);
    const open = await tableRows(store, 'campaign_attempts', 'acme', 'attempt_id');
    expect(open.map((a) => [a['outcome'], a['ended_at']])).toEqual([['', null]]);

    c('LeadsImported', {
      importId: 'imp-9',
      rows: 1,
      added: 1,
      merged: 0,
      skippedDoNotCall: 0,
      source: 'json',
    });
    c('DialEnded', { attemptId: 'att-9', leadId: lead(7)['leadId'], attempt: 1, outcome: 'no_answer' });
    await handleAll(processor, store, [log.events.splice(0)]);
    expect(await committedLeads(store, 'acme', 'later')).toEqual([lead(7)['leadId']]);
    const ended = await tableRows(store, 'campaign_attempts', 'acme', 'attempt_id');
    expect(ended.map((a) => [a['outcome'], a['ended_at'], a['seq']])).toEqual([
      ['no_answer', '2024-03-01 09:00:00.000', '3'],
    ]);
  });

  it('replayed twice, in other batch sizes or after a crash, leaves the same rows', async () => {
    const events = springLog('acme');
    const once = await stores.open('campaigns_once');
    await handleAll(createCampaignsProcessor(), once, [events]);
    const expected = await snapshot(once, 'acme');

    const twice = await stores.open('campaigns_twice');
    await handleAll(createCampaignsProcessor(), twice, [events, events]);
    expect(await snapshot(twice, 'acme')).toEqual(expected);

    const small = await stores.open('campaigns_small');
    await handleAll(createCampaignsProcessor(), small, inBatchesOf(events, 3));
    await handleAll(createCampaignsProcessor(), small, inBatchesOf(events, 5));
    expect(await snapshot(small, 'acme')).toEqual(expected);

    const crashed = await stores.open('campaigns_crash');
    // The second batch writes leads, then its import and the campaign: it dies after the leads.
    await handleWithCrash(createCampaignsProcessor(), crashed, inBatchesOf(events, 4), 1);
    expect(await snapshot(crashed, 'acme')).toEqual(expected);
  });

  it('keeps tenants apart and writes no row for leads or numbers whose subject was erased', async () => {
    const store = await stores.open('campaigns_erased');
    const log = campaignLog('globex');
    log.campaign('fall', 'CampaignCreated', campaignSettings('Fall'));
    const erase = (busEvent: BusEvent, field: string): BusEvent => ({
      ...busEvent,
      envelope: { ...busEvent.envelope, data: { ...(busEvent.envelope.data as object), [field]: ERASED } },
    });
    const staged = erase(
      log.campaign('fall', 'LeadsStaged', { importId: 'imp-1', chunk: 0, leads: [lead(1)] }),
      'leads',
    );
    const listed = erase(
      log.doNotCall('DoNotCallAdded', { numbers: ['+15550109999'], source: 'import' }),
      'numbers',
    );
    // Leads sealed one by one: one person erased reads ERASED in its place, the other lead is written.
    const oneErased = log.campaign('fall', 'LeadsStaged', {
      importId: 'imp-2',
      chunk: 0,
      leads: [lead(2), lead(3)],
    });
    const partly: BusEvent = {
      ...oneErased,
      envelope: {
        ...oneErased.envelope,
        data: { importId: 'imp-2', chunk: 0, leads: [ERASED, lead(3)] },
      },
    };
    const logLines: string[] = [];
    await handleAll(
      createCampaignsProcessor(),
      store,
      [[log.events[0] as BusEvent, staged, listed, partly]],
      logLines,
    );
    await handleAll(createCampaignsProcessor(), store, [springLog('acme')]);
    expect((await tableRows(store, 'campaign_leads', 'globex', 'lead_id')).map((r) => r['lead_id'])).toEqual([
      lead(3).leadId,
    ]);
    expect(await tableRows(store, 'do_not_call', 'globex', 'number')).toEqual([]);
    expect(logLines).toEqual(['campaigns: the leads of import imp-1 of fall are [erased]']);
    expect((await tableRows(store, 'campaigns', 'globex', 'campaign_id')).map((r) => r['name'])).toEqual([
      'Fall',
    ]);
    expect((await tableRows(store, 'campaigns', 'acme', 'campaign_id')).map((r) => r['name'])).toEqual([
      'Spring recall 2024',
    ]);
  });
});
