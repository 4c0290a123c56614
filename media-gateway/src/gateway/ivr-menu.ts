import type { IvrMenu } from '@ccp/schemas';
import type { TenantEntry } from '../directory/directory.js';
import type { CallOpening, IncomingCall } from '../gateway.js';
import { matchIvrOption, routeDepartment, type CallRoute } from '../routing/route-call.js';
import { phrase } from '../telephony/phrases.js';
import { answerCall } from './answer-call.js';
import type { GatewayContext } from './context.js';

/** A call in an IVR menu, waiting for the caller's choice. */
export interface PendingIvr {
  readonly call: IncomingCall;
  readonly tenant: TenantEntry;
  readonly menu: IvrMenu;
  attempts: number;
}

/** Wrong or no choice this many times: the caller goes to the menu's first department rather than round again. */
const MAX_IVR_ATTEMPTS = 2;

/**
 * The caller's choice in the menu: the chosen department's agent answers, or the menu is said again. Each try
 * is numbered (`attempt`, from the webhook's URL): a try made again records nothing and gets the menu again.
 */
export const chooseIvr = async (
  context: GatewayContext,
  callId: string,
  input: { readonly kind: 'dtmf' | 'speech'; readonly value: string },
  attempt?: number,
): Promise<CallOpening | undefined> => {
  const { deps, sessions, clocks, ivr } = context;
  const pending = ivr.get(callId);
  if (!pending) return undefined;
  const { tenant, menu, call } = pending;
  const language = tenant.settings.languages[0] ?? 'en';
  if (attempt !== undefined && attempt !== pending.attempts + 1) {
    return { kind: 'ivr', tenant, menu, language, attempt: attempt + 1 };
  }
  // Counted before anything is awaited, so that the same try arriving twice at once is one try.
  pending.attempts += 1;
  const value = input.value.trim();
  const option = value === '' ? undefined : matchIvrOption(menu, input);
  if (value !== '') {
    await context.send(tenant.tenantId, callId, 'ChooseIvrOption', {
      menu: menu.id,
      input: input.kind,
      value: input.kind === 'dtmf' ? value.replace(/[^0-9*#]/g, '').slice(0, 32) || '#' : value.slice(0, 500),
      ...(option && { departmentId: option.departmentId }),
    });
  }
  const chosen = option ?? (pending.attempts >= MAX_IVR_ATTEMPTS ? menu.options[0] : undefined);
  if (!chosen) return { kind: 'ivr', tenant, menu, language, attempt: pending.attempts + 1 };
  ivr.delete(callId);
  const department = deps.live.directory.department(tenant.tenantId, chosen.departmentId);
  const route: CallRoute = department
    ? routeDepartment(
        {
          directory: deps.live.directory,
          now: clocks.clockFor(callId)(),
          activeCalls: sessions.activeCalls,
        },
        tenant,
        department,
      )
    : { kind: 'unavailable', tenant, reason: 'no_agent' };
  if (route.kind !== 'agent') {
    await context.send(tenant.tenantId, callId, 'EndCall', { outcome: 'failed', reason: 'no_agent' });
    return {
      kind: 'refused',
      language,
      lines: [phrase(language, route.kind === 'unavailable' ? route.reason : 'no_agent')],
    };
  }
  await context.send(tenant.tenantId, callId, 'TransferCall', {
    to: { kind: 'agent', id: route.agent.agentId },
    reason: `IVR choice ${chosen.digit}`,
  });
  return answerCall(context, call, route);
};
