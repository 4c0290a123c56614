/**
 * Test support for the campaigns processor (imported by tests only): a campaign stream's and a do-not-call
 * list's events built from their schemas, each validated as the event store validates what it appends, in the
 * envelopes and positions the bus hands over.
 */
import { randomUUID } from 'node:crypto';
import {
  campaignEvents,
  doNotCallEvents,
  DEFAULT_PACING,
  DEFAULT_RETRY_POLICY,
  DO_NOT_CALL_LIST,
  streamName,
  SYSTEM_ACTOR,
  type EventDefinition,
} from '@ccp/schemas';
import type { BusEvent } from '../bus/port.js';

const definitions: readonly EventDefinition[] = [...campaignEvents, ...doNotCallEvents];

export interface CampaignLog {
  /** Sets the events' clock. */
  at(iso: string): void;
  /** One event of campaign `campaignId`, its data checked against the event's schema. */
  campaign(campaignId: string, type: string, data: Record<string, unknown>): BusEvent;
  /** One event of the tenant's do-not-call list. */
  doNotCall(type: string, data: Record<string, unknown>): BusEvent;
  /** Every event built so far, in order. */
  readonly events: BusEvent[];
}

export const campaignLog = (tenantId: string, firstPosition = 1): CampaignLog => {
  let now = '2024-03-01T09:00:00.000Z';
  let position = firstPosition;
  const events: BusEvent[] = [];
  const append = (stream: string, type: string, data: Record<string, unknown>): BusEvent => {
    const definition = definitions.find((d) => d.type === type);
    if (definition === undefined) throw new Error(`no event ${type}`);
    const envelope = {
      id: randomUUID(),
      type,
      version: definition.version,
      data: definition.data.parse(data),
      tenantId,
      streamId: stream,
      occurredAt: now,
      causationId: null,
      correlationId: randomUUID(),
      actor: SYSTEM_ACTOR,
    };
    const busEvent: BusEvent = { envelope, position, key: stream };
    position += 1;
    events.push(busEvent);
    return busEvent;
  };
  return {
    at(iso) {
      now = iso;
    },
    campaign: (campaignId, type, data) => append(streamName('campaign', tenantId, campaignId), type, data),
    doNotCall: (type, data) => append(streamName('donotcall', tenantId, DO_NOT_CALL_LIST), type, data),
    events,
  };
};

/** A leads campaign's settings as CampaignCreated carries them. */
export const campaignSettings = (name: string): Record<string, unknown> => ({
  kind: 'leads',
  name,
  agentId: 'agent-1',
  callerIds: ['+15557650002'],
  startDate: '2024-03-01',
  timeZone: 'America/New_York',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: 540, end: 1020 }],
  holidays: [],
  retry: DEFAULT_RETRY_POLICY,
  pacing: DEFAULT_PACING,
  voicemail: { action: 'hang_up' },
});

export const lead = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  leadId: `lead-${String(n).padStart(16, '0')}`,
  phone: `+1555010${String(n).padStart(4, '0')}`,
  name: `Lead ${n}`,
  timeZones: ['America/New_York'],
  variables: { first_name: `Lead${n}` },
  ...extra,
});
