import type { Agent } from '../../../api/admin';
import { defined, listOf, numberOf } from '../form';
import { hoursDraftOf, workingWeek, type HoursDraft } from '../hours';

/** An AI agent as its editor holds it: every field as typed (lists comma separated, numbers as text). */
export interface AgentDraft {
  id: string;
  name: string;
  type: string;
  departmentId: string;
  voice: string;
  tone: string;
  traits: string;
  greeting: string;
  systemPrompt: string;
  languages: string;
  ownHours: boolean;
  hours: HoursDraft;
  fallback: string;
  onCallerRequest: boolean;
  belowConfidence: string;
  onNegativeSentimentTrend: boolean;
  keywords: string;
  maxTurns: string;
  concurrency: string;
}

/** A new agent's draft: the defaults the form starts from. */
export const blankDraft = (): AgentDraft => ({
  id: '',
  name: '',
  type: 'customer_service',
  departmentId: '',
  voice: 'Puck',
  tone: 'professional',
  traits: '',
  greeting: '',
  systemPrompt: '',
  languages: 'en',
  ownHours: false,
  hours: { timeZone: '', weekly: workingWeek() },
  fallback: 'escalate_to_human',
  onCallerRequest: true,
  belowConfidence: '0.4',
  onNegativeSentimentTrend: true,
  keywords: '',
  maxTurns: '',
  concurrency: '5',
});

/** An agent's draft from what is recorded. */
export const draftOf = (a: Agent): AgentDraft => ({
  id: a.id,
  name: a.name,
  type: a.type,
  departmentId: a.departmentId ?? '',
  voice: a.voice,
  tone: a.personality.tone,
  traits: (a.personality.traits ?? []).join(', '),
  greeting: a.personality.greeting ?? '',
  systemPrompt: a.systemPrompt,
  languages: a.languages.join(', '),
  ownHours: a.businessHours !== null && a.businessHours !== undefined,
  hours: a.businessHours ? hoursDraftOf(a.businessHours) : { timeZone: '', weekly: workingWeek() },
  fallback: a.fallback,
  onCallerRequest: a.escalationRules.onCallerRequest,
  belowConfidence: String(a.escalationRules.belowConfidence),
  onNegativeSentimentTrend: a.escalationRules.onNegativeSentimentTrend,
  keywords: a.escalationRules.keywords.join(', '),
  maxTurns:
    a.escalationRules.maxTurnsWithoutResolution === undefined
      ? ''
      : String(a.escalationRules.maxTurnsWithoutResolution),
  concurrency: String(a.concurrencyLimit),
});

/** The settings CreateAgent and UpdateAgent share, from the draft (department and hours differ: see the editor). */
export const agentSettings = (d: AgentDraft) => ({
  name: d.name,
  type: d.type,
  voice: d.voice,
  personality: defined({
    tone: d.tone,
    traits: listOf(d.traits).length > 0 ? listOf(d.traits) : undefined,
    greeting: d.greeting.trim() === '' ? undefined : d.greeting,
  }),
  systemPrompt: d.systemPrompt,
  languages: listOf(d.languages),
  fallback: d.fallback,
  escalationRules: defined({
    onCallerRequest: d.onCallerRequest,
    belowConfidence: numberOf(d.belowConfidence),
    onNegativeSentimentTrend: d.onNegativeSentimentTrend,
    keywords: listOf(d.keywords),
    maxTurnsWithoutResolution: numberOf(d.maxTurns),
  }),
  concurrencyLimit: numberOf(d.concurrency),
});
