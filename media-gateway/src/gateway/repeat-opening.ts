import type { CallEvent } from '@ccp/schemas';
import { CommandRefusedError } from '../conversation/commands.js';
import type { CallOpening, IncomingCall } from '../gateway.js';
import { routeNumber } from '../routing/route-call.js';
import { phrase, type PhraseKey } from '../telephony/phrases.js';
import { USAGE_CAP_REASON } from './answer-call.js';
import { recordingOpening } from './call-consent.js';
import type { GatewayContext } from './context.js';

/** A call refused as it rang ends with one of these reasons, each the key of what the caller was told. */
const REFUSALS: Readonly<Record<string, PhraseKey>> = {
  unassigned: 'unassigned',
  tenant_inactive: 'tenant_inactive',
  no_agent: 'no_agent',
  all_agents_busy: 'all_agents_busy',
  [USAGE_CAP_REASON]: 'usage_cap',
};

/**
 * What an inbound call that rang before hears when its first webhook comes again, decided from its events and
 * recording nothing: the refusal, the queue, the menu (its next try) or the greeting as recorded. The model is
 * asked only when the greeting was never recorded (the process stopped before it); the session answers that
 * request once. Undefined for a call not seen before; the same call id with other parties is refused.
 */
export const repeatOpening = async (
  context: GatewayContext,
  call: IncomingCall,
): Promise<CallOpening | undefined> => {
  const { deps, sessions, ivr } = context;
  const { directory } = deps.live;
  const tenantId = directory.tenantOfCall(call.callId);
  if (tenantId === undefined) return undefined;
  const tenant = directory.tenant(tenantId);
  const events = tenant ? await deps.readCall(tenant.tenantId, call.callId) : [];
  const started = events.find((e) => e.type === 'CallStarted');
  if (!tenant || !started) return undefined;
  const start = started.data as { from: string; to: string; agentId?: string; language?: string };
  if (start.from !== call.from || start.to !== call.to) {
    throw new CommandRefusedError(
      'CALL_EXISTS',
      `call ${call.callId} already exists, between other parties`,
      'CallSid',
    );
  }
  const calls = events as unknown as CallEvent[];
  const tenantLanguage = tenant.settings.languages[0] ?? 'en';
  const language = start.language ?? tenantLanguage;
  const aiSpoke = calls.some((e) => e.type === 'AiReplied');
  const ended = calls.find((e) => e.type === 'CallEnded');
  if (ended) {
    // Refused as it rang: the same words. Ended later: nothing to say, the call is over.
    const refusal = aiSpoke || ended.data.reason === undefined ? undefined : REFUSALS[ended.data.reason];
    const said = refusal === 'usage_cap' ? language : tenantLanguage;
    return { kind: 'refused', language: said, lines: refusal ? [phrase(said, refusal)] : [] };
  }
  const queued = calls.find((e) => e.type === 'CallQueued');
  if (queued && !aiSpoke) {
    // The AI may not answer (its usage cap): the call went straight to people.
    return {
      kind: 'queue',
      departmentId: queued.data.departmentId,
      language,
      lines: [phrase(language, 'connecting')],
    };
  }
  const toAgent = calls.some((e) => e.type === 'CallTransferred' && e.data.to.kind === 'agent');
  if (start.agentId === undefined && !toAgent) {
    // Rang the menu: a process that restarted since learns the tries made from the events.
    let pending = ivr.get(call.callId);
    if (!pending) {
      const route = routeNumber({ directory, now: deps.now(), activeCalls: sessions.activeCalls }, call.to);
      if (route.kind !== 'ivr') return { kind: 'refused', language: tenantLanguage, lines: [] };
      pending = {
        call,
        tenant,
        menu: route.menu,
        attempts: calls.filter((e) => e.type === 'IvrOptionChosen').length,
      };
      ivr.set(call.callId, pending);
    }
    return {
      kind: 'ivr',
      tenant,
      menu: pending.menu,
      language: tenantLanguage,
      attempt: pending.attempts + 1,
    };
  }
  const session = await sessions.sessionOrResume(call.callId);
  if (!session) return { kind: 'refused', language, lines: [phrase(language, 'no_agent')] };
  const turn = await session.greet();
  // The first answer was lost, so the announcement (and the recording's start) were never heard; consent given
  // again records nothing, and a caller who refused since is not recorded again.
  const refused = calls.some((e) => e.type === 'RecordingConsentRefused');
  const recording = refused ? undefined : await recordingOpening(context, tenant, call.callId, turn.language);
  return { kind: 'agent', session, turn, ...(recording && { recording }) };
};
