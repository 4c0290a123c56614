import type { VoicemailPolicy } from '@ccp/schemas';
import type { CallSession } from '../conversation/call-session.js';
import { fillVariables } from '../conversation/lead-variables.js';
import type { GatewayContext } from './context.js';

/** The gateway's side of calls the platform places: one answered already, and one a machine picked up. */

const voicemailText = (language: string, agent: string, business: string): string =>
  language.startsWith('es')
    ? `Hola, soy ${agent} de ${business}. Le llamábamos por su solicitud. Le volveremos a llamar, o puede devolvernos la llamada a este número. ¡Gracias!`
    : `Hi, this is ${agent} from ${business}, calling about your request. We will try you again, or you can call us back at this number. Thank you!`;

/** What a campaign says to an answering machine: its policy and the lead's variables for the message. */
export interface CampaignVoicemail {
  readonly policy: VoicemailPolicy;
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * An answering machine picked up an outbound call: leave the voicemail, or hang up. A campaign's call follows
 * the campaign's policy (its message, else the agent's, with the lead's variables); any other call the agent's
 * fallback.
 */
export const machineAnswered = async (
  context: GatewayContext,
  callId: string,
  agentId: string,
  campaign?: CampaignVoicemail,
): Promise<{ readonly voicemail?: string; readonly language: string; readonly voice: string }> => {
  const { deps } = context;
  const tenantId = context.tenantOf(callId);
  const tenant = tenantId !== undefined ? deps.live.directory.tenant(tenantId) : undefined;
  const agent = tenant ? deps.live.directory.agent(tenant.tenantId, agentId) : undefined;
  const language = agent?.settings.languages[0] ?? 'en';
  if (!tenant || !agent) return { language, voice: 'Puck' };
  await context.send(tenant.tenantId, callId, 'AnswerCall', { answeredBy: 'machine' });
  const leaves = campaign
    ? campaign.policy.action === 'leave_message'
    : agent.settings.fallback === 'voicemail';
  if (!leaves) {
    await context.send(tenant.tenantId, callId, 'EndCall', {
      outcome: 'voicemail',
      reason: 'answering machine: hung up',
    });
    return { language, voice: agent.settings.voice };
  }
  const agentText = voicemailText(
    language,
    agent.settings.name,
    tenant.settings.branding.displayName ?? tenant.name,
  );
  const message = campaign?.policy.message;
  const voicemail =
    message !== undefined && campaign ? fillVariables(message, campaign.variables) : agentText;
  await context.send(tenant.tenantId, callId, 'LeaveVoicemail', { text: voicemail });
  await context.send(tenant.tenantId, callId, 'EndCall', { outcome: 'voicemail', reason: 'voicemail left' });
  return { voicemail, language, voice: agent.settings.voice };
};

/** The session of an outbound call the AI already answered (its greeting is in the call's events). */
export const answeredOutbound = async (
  context: GatewayContext,
  callId: string,
): Promise<CallSession | undefined> => {
  const { deps, sessions } = context;
  const held = sessions.get(callId);
  if (held) return held;
  const tenantId = context.tenantOf(callId);
  if (tenantId === undefined) return undefined;
  const events = await deps.readCall(tenantId, callId);
  return events.some((e) => e.type === 'AiReplied') ? sessions.sessionOrResume(callId) : undefined;
};
