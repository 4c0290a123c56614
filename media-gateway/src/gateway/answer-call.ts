import { billingPeriodOf } from '@ccp/schemas';
import type { CallOpening, IncomingCall } from '../gateway.js';
import type { CallRoute } from '../routing/route-call.js';
import { phrase } from '../telephony/phrases.js';
import { recordingOpening } from './call-consent.js';
import type { GatewayContext } from './context.js';

/** Why a call the AI may not answer ended, as recorded. */
export const USAGE_CAP_REASON = 'AI usage cap reached';

/**
 * The routed agent answers the call with its greeting, in a session this process holds, unless the tenant's
 * AI usage cap is reached: then the call goes straight to people, or is refused when nobody can take it.
 */
export const answerCall = async (
  context: GatewayContext,
  call: IncomingCall,
  route: Extract<CallRoute, { kind: 'agent' }>,
): Promise<CallOpening> => {
  const { deps, sessions, clocks } = context;
  const { tenant, agent, department } = route;
  const language = agent.settings.languages[0] ?? tenant.settings.languages[0] ?? 'en';
  if (tenant.aiBlockedPeriods.has(billingPeriodOf(deps.now()))) {
    // The plan's AI allowance is used up: people may still answer; the AI may not.
    const departmentId = department?.departmentId;
    if (
      departmentId !== undefined &&
      !route.afterHours &&
      deps.humansAvailable(tenant.tenantId, departmentId)
    ) {
      await context.send(tenant.tenantId, call.callId, 'RequestEscalation', {
        reason: 'agent_rule',
        summary: 'AI usage cap reached this month: the call goes straight to a person.',
        departmentId,
      });
      await context.send(tenant.tenantId, call.callId, 'QueueCall', { departmentId, queue: departmentId });
      return { kind: 'queue', departmentId, language, lines: [phrase(language, 'connecting')] };
    }
    await context.send(tenant.tenantId, call.callId, 'EndCall', {
      outcome: 'failed',
      reason: USAGE_CAP_REASON,
    });
    return { kind: 'refused', language, lines: [phrase(language, 'usage_cap')] };
  }
  const session = sessions.newSession({
    callId: call.callId,
    tenant,
    agent,
    department,
    customer: call.direction === 'inbound' ? call.from : call.to,
    afterHours: route.afterHours,
    ...(call.variables && { variables: call.variables }),
    ...(clocks.has(call.callId) && { now: clocks.clockFor(call.callId) }),
  });
  const turn = await session.greet();
  const recording = await recordingOpening(context, tenant, call.callId, turn.language);
  return { kind: 'agent', session, turn, ...(recording && { recording }) };
};
