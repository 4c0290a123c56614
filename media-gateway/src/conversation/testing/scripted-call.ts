import { MediaGateway } from '../../gateway.js';
import { tenantKnowledge } from '../../knowledge.js';
import type { LanguageModel, LlmRequest, LlmResponse } from '../../llm/port.js';
import { OPEN_HOURS, TENANT, gatewayFixture, type GatewayFixture } from '../../testing/fixture.js';
import type { CallSession } from '../call-session.js';

/**
 * A call answered by Ava (the fixture's agent) with a scripted model of our own port: the test says what the
 * model answers to each request after the greeting. For the tests of the AI's turn (guards, gate, streaming).
 */

export const SCRIPTED_CALL = 'CA00000000000000000000000000000c02';

export type Script = (request: LlmRequest) => Partial<LlmResponse> | Promise<Partial<LlmResponse>>;

export interface ScriptedCall {
  readonly session: CallSession;
  /** The same call in a new process (a new gateway on the same event store): its session rebuilt from the log. */
  restart(): Promise<CallSession>;
  /** Every request the model got, the greeting's first. */
  readonly requests: LlmRequest[];
  readonly fixture: GatewayFixture;
  /** The tools recorded on the call: name, status and result. */
  tools(): Promise<{ name: string; status: string; result: unknown; arguments: Record<string, unknown> }[]>;
  /** The replies recorded on the call (AiReplied texts), the greeting's first. */
  replies(): Promise<string[]>;
  /** The appointments scheduled for the tenant. */
  appointments(): Promise<{ startsAt: string }[]>;
  close(): Promise<void>;
}

export const GREETING = 'Hello, this is Ava.';

export const scriptedResponse = (step: Partial<LlmResponse>): LlmResponse => ({
  text: '',
  toolCalls: [],
  model: 'scripted-1',
  usage: { promptTokens: 1, completionTokens: 1 },
  ...step,
});

export const scriptedCall = async (
  script: Script,
  options: { readonly fillerMs?: number } = {},
): Promise<ScriptedCall> => {
  const fixture = await gatewayFixture();
  const requests: LlmRequest[] = [];
  const model: LanguageModel = {
    name: 'scripted',
    respond: async (request) => {
      requests.push(request);
      return scriptedResponse(requests.length === 1 ? { text: GREETING } : await script(request));
    },
  };
  const newGateway = () =>
    new MediaGateway({
      live: fixture.live,
      commands: fixture.commands,
      model,
      ...(options.fillerMs !== undefined && { fillerMs: options.fillerMs }),
      searchKnowledge: tenantKnowledge(fixture.live.directory),
      humansAvailable: () => false,
      now: () => OPEN_HOURS,
      log: () => undefined,
      readCall: (tenantId, callId) => fixture.events(`call-${tenantId}.${callId}`),
    });
  const gateway = newGateway();
  const opening = await gateway.open({
    callId: SCRIPTED_CALL,
    from: '+15557770002',
    to: '+15550000001',
    provider: 'twilio',
    direction: 'inbound',
  });
  const session = gateway.session(SCRIPTED_CALL);
  if (opening.kind !== 'agent' || !session) throw new Error('the call reached no agent');
  const callEvents = () => fixture.events(`call-${TENANT}.${SCRIPTED_CALL}`);
  return {
    session,
    restart: async () => {
      const resumed = await newGateway().sessionOrResume(SCRIPTED_CALL);
      if (!resumed) throw new Error('the call was not resumed');
      return resumed;
    },
    requests,
    fixture,
    tools: async () =>
      (await callEvents())
        .filter((e) => e.type === 'ToolInvoked')
        .map((e) => {
          const data = e.data as {
            name: string;
            status: string;
            result: unknown;
            arguments: Record<string, unknown>;
          };
          return { name: data.name, status: data.status, result: data.result, arguments: data.arguments };
        }),
    replies: async () =>
      (await callEvents())
        .filter((e) => e.type === 'AiReplied')
        .map((e) => (e.data as { text: string }).text),
    appointments: async () =>
      (await fixture.store.readAll())
        .filter((e) => e.type === 'AppointmentScheduled')
        .map((e) => e.data as { startsAt: string }),
    close: () => fixture.close(),
  };
};
