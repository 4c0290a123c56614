import {
  EDITABLE_WHILE_RUNNING,
  RETRIED_OUTCOMES,
  type CampaignDetail,
  type CampaignSettings,
  type CampaignWeekday,
  type RetriedOutcome,
} from '../../api/campaigns';
import { listOf, numberOf } from '../admin/form';

/*
 * The campaign editor's draft: what the form's fields hold (text, as typed) and its conversion to and from the
 * settings of schemas/src/campaign.ts. Numbers stay text until sent, so that the API's own checks decide and
 * explain a wrong value next to its field.
 */

export interface WindowDraft {
  days: CampaignWeekday[];
  /** HH:MM in the called person's local time; "to" before "from" crosses midnight. */
  from: string;
  to: string;
}
export interface RetryDraft {
  attempts: string;
  spacingMinutes: string;
}
export interface CampaignDraft {
  campaignId: string;
  name: string;
  agentId: string;
  callerIds: string[];
  scriptId: string;
  startDate: string;
  endDate: string;
  timeZone: string;
  windows: WindowDraft[];
  /** Dates separated by commas. */
  holidays: string;
  retry: Record<RetriedOutcome, RetryDraft>;
  maxAttempts: string;
  maxConcurrentCalls: string;
  callsPerSecond: string;
  inboundReserve: string;
  voicemailAction: 'hang_up' | 'leave_message';
  voicemailMessage: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');
/** 540 → "09:00"; 1440 (midnight at the end of the day) → "00:00". */
export const timeOf = (minutes: number): string =>
  `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;
/** "09:30" → 570; a window that ends at "00:00" ends at midnight (1440), not at its start of day. */
export const minutesOf = (text: string, end: boolean): number => {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return Number.NaN;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return end && minutes === 0 ? 1440 : minutes;
};

const today = (): string => {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
};

export const blankDraft = (): CampaignDraft => ({
  campaignId: '',
  name: '',
  agentId: '',
  callerIds: [],
  scriptId: '',
  startDate: today(),
  endDate: '',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'America/New_York',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
  holidays: '',
  retry: {
    busy: { attempts: '2', spacingMinutes: '30' },
    no_answer: { attempts: '2', spacingMinutes: '240' },
    failed: { attempts: '1', spacingMinutes: '60' },
    voicemail: { attempts: '1', spacingMinutes: '1440' },
  },
  maxAttempts: '4',
  maxConcurrentCalls: '5',
  callsPerSecond: '1',
  inboundReserve: '1',
  voicemailAction: 'hang_up',
  voicemailMessage: '',
});

export const draftOf = (c: CampaignDetail): CampaignDraft => ({
  campaignId: c.campaignId,
  name: c.name,
  agentId: c.agentId ?? '',
  callerIds: [...c.callerIds],
  scriptId: c.scriptId ?? '',
  startDate: c.startDate,
  endDate: c.endDate ?? '',
  timeZone: c.timeZone,
  windows: c.windows.map((w) => ({ days: [...w.days], from: timeOf(w.start), to: timeOf(w.end) })),
  holidays: c.holidays.join(', '),
  retry: Object.fromEntries(
    RETRIED_OUTCOMES.map((o) => [
      o,
      { attempts: String(c.retry[o].attempts), spacingMinutes: String(c.retry[o].spacingMinutes) },
    ]),
  ) as Record<RetriedOutcome, RetryDraft>,
  maxAttempts: String(c.retry.maxAttempts),
  maxConcurrentCalls: String(c.pacing.maxConcurrentCalls),
  callsPerSecond: String(c.pacing.callsPerSecond),
  inboundReserve: String(c.pacing.inboundReserve),
  voicemailAction: c.voicemail.action,
  voicemailMessage: c.voicemail.message ?? '',
});

const optional = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());

/** The settings as the API takes them; what is left empty is left out (the API then refuses or defaults). */
export const settingsOf = (d: CampaignDraft): Partial<CampaignSettings> => {
  const retry = Object.fromEntries(
    RETRIED_OUTCOMES.map((o) => [
      o,
      { attempts: numberOf(d.retry[o].attempts), spacingMinutes: numberOf(d.retry[o].spacingMinutes) },
    ]),
  );
  const message = optional(d.voicemailMessage);
  const settings = {
    name: d.name.trim(),
    agentId: optional(d.agentId),
    callerIds: [...d.callerIds],
    scriptId: optional(d.scriptId),
    startDate: d.startDate,
    endDate: optional(d.endDate),
    timeZone: d.timeZone,
    windows: d.windows.map((w) => ({
      days: [...w.days],
      start: minutesOf(w.from, false),
      end: minutesOf(w.to, true),
    })),
    holidays: listOf(d.holidays),
    retry: { ...retry, maxAttempts: numberOf(d.maxAttempts) },
    pacing: {
      maxConcurrentCalls: numberOf(d.maxConcurrentCalls),
      callsPerSecond: numberOf(d.callsPerSecond),
      inboundReserve: numberOf(d.inboundReserve),
    },
    voicemail: {
      action: d.voicemailAction,
      ...(d.voicemailAction === 'leave_message' && message !== undefined && { message }),
    },
  };
  return Object.fromEntries(
    Object.entries(settings).filter(([, v]) => v !== undefined),
  ) as Partial<CampaignSettings>;
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * What an edit changes: the settings that differ from the campaign as it was read. While it runs or is paused
 * only the settings the API lets change are sent.
 */
export const changesOf = (
  d: CampaignDraft,
  original: CampaignDetail,
  running: boolean,
): Partial<CampaignSettings> => {
  const next = settingsOf(d) as Record<string, unknown>;
  const before = original as unknown as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (running && !EDITABLE_WHILE_RUNNING.includes(key)) continue;
    if (!same(value, before[key] ?? undefined)) changes[key] = value;
  }
  return changes as Partial<CampaignSettings>;
};

/** Whether the campaign's state lets only some settings change (running or paused). */
export const isRunning = (status: string | undefined): boolean => status === 'running' || status === 'paused';
