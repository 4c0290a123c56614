import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import type { LanguageModel, LlmRequest, LlmResponse } from './llm/port.js';
import { MediaGateway } from './gateway.js';
import { tenantKnowledge } from './knowledge.js';
import type { Carrier } from './telephony/carrier.js';
import { humanHandover } from './telephony/call-control.js';
import { CLOSED_HOURS, OPEN_HOURS, TENANT, gatewayFixture, type GatewayFixture } from './testing/fixture.js';

/**
 * A scripted stand-in for the model (the model is not what these tests are about): it answers each request
 * with the next scripted step, and remembers the requests so tests can see what the gateway sent.
 */
const scriptedModel = (steps: ((request: LlmRequest) => Partial<LlmResponse>)[]) => {
  const requests: LlmRequest[] = [];
  const model: LanguageModel = {
    name: 'scripted',
    respond: async (request) => {
      requests.push(request);
      const step = steps.shift();
      if (!step) throw new Error('the script has no more steps');
      return {
        text: '',
        toolCalls: [],
        model: 'scripted-1',
        usage: { promptTokens: 10, completionTokens: 5 },
        ...step(request),
      };
    },
  };
  return { model, requests };
};

const CALL = 'CA0000000000000000000000000000000a';
const callStream = `call-${TENANT}.${CALL}`;
const inbound = (to: string) => ({
  callId: CALL,
  from: '+15557770001',
  to,
  provider: 'twilio' as const,
  direction: 'inbound' as const,
});

let fixture: GatewayFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const gatewayWith = async (
  model: LanguageModel,
  options: { now?: Date; humans?: boolean } = {},
): Promise<{ gateway: MediaGateway; f: GatewayFixture }> => {
  const now = options.now ?? OPEN_HOURS;
  const f = await gatewayFixture(() => now);
  fixture = f;
  return gatewayOn(f, model, { ...options, now });
};

/** A gateway over an existing store: a second one plays the process that takes over after a restart. */
const gatewayOn = async (
  f: GatewayFixture,
  model: LanguageModel,
  options: { now?: Date; humans?: boolean } = {},
): Promise<{ gateway: MediaGateway; f: GatewayFixture }> => {
  const now = options.now ?? OPEN_HOURS;
  const gateway = new MediaGateway({
    live: f.live,
    commands: f.commands,
    model,
    searchKnowledge: tenantKnowledge(f.live.directory),
    humansAvailable: () => options.humans ?? false,
    now: () => now,
    log: () => undefined,
    readCall: (tenantId, callId) => f.events(`call-${tenantId}.${callId}`),
  });
  return { gateway, f };
};

const types = async (f: GatewayFixture) => (await f.events(callStream)).map((e) => e.type);

describe('the media gateway answering a call', () => {
  it('starts the call, greets, answers from the knowledge base and records every step', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Thanks for calling Acme Dental, this is Ava.' }),
      () => ({
        text: 'Let me check.',
        toolCalls: [
          { id: 'k1', name: 'search_knowledge_base', arguments: { query: 'opening hours saturday' } },
        ],
      }),
      (request) => {
        const tool = request.messages[request.messages.length - 1];
        return {
          text:
            tool?.role === 'tool' && tool.content.includes('Saturdays')
              ? 'On Saturdays we open 9 to 1.'
              : 'I do not know.',
        };
      },
    ]);
    const { gateway, f } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    expect(opening.kind).toBe('agent');
    if (opening.kind !== 'agent') return;
    expect(opening.turn.lines).toEqual(['Thanks for calling Acme Dental, this is Ava.']);

    const turn = await opening.session.hear({ text: 'When are you open on Saturday?', confidence: 0.93 });
    expect(turn.lines).toEqual(['Let me check.', 'On Saturdays we open 9 to 1.']);
    expect(turn.next).toEqual({ kind: 'listen' });
    expect(requests[1]?.system).toContain('Tone: friendly');
    expect(requests[1]?.system).toContain('Acme Dental');

    const events = await f.events(callStream);
    expect(events.map((e) => e.type)).toEqual([
      'CallStarted',
      'AiReplied',
      'UtteranceRecorded',
      'ToolInvoked',
      'AiReplied',
    ]);
    expect(events[0]?.data).toMatchObject({
      agentId: 'ava',
      departmentId: 'reception',
      direction: 'inbound',
    });
    expect(events[3]?.data).toMatchObject({ name: 'search_knowledge_base', status: 'succeeded' });
    expect(events[4]?.data).toMatchObject({ promptTokens: 20, completionTokens: 10, model: 'scripted-1' });
    expect(events.every((e) => e.correlationId === CALL)).toBe(true);

    await gateway.close(CALL);
    expect((await types(f)).slice(-2)).toEqual(['CallEnded', 'CallSummarized']);
    const summary = (await f.events(callStream)).at(-1);
    expect(summary?.data).toMatchObject({ outcome: 'answered by the AI' });
  });

  it('books an appointment through the command side and links it to the caller', async () => {
    const { model } = scriptedModel([
      () => ({ text: 'Hello.' }),
      // The slot read back and confirmed first: the gateway runs no booking the caller has not said yes to.
      () => ({
        text: 'To confirm: a cleaning on Wednesday, March 4 at 3 PM for Ana López. Shall I book it?',
      }),
      () => ({
        toolCalls: [
          {
            id: 'b1',
            name: 'book_appointment',
            arguments: {
              service: 'cleaning',
              startsAt: '2026-03-04T15:00:00-05:00',
              customerName: 'Ana López',
            },
          },
        ],
      }),
      () => ({ text: 'Booked for Wednesday at 3 pm.' }),
    ]);
    const { gateway, f } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    await opening.session.hear({ text: 'Book a cleaning Wednesday at 3 for Ana López', confidence: 0.9 });
    await opening.session.hear({ text: 'Yes, please.', confidence: 0.9 });
    const tool = (await f.events(callStream)).find((e) => e.type === 'ToolInvoked');
    const { appointmentId } = (tool?.data as { result: { appointmentId: string } }).result;
    const appointment = await f.events(`appointment-${TENANT}.${appointmentId}`);
    expect(appointment[0]).toMatchObject({
      type: 'AppointmentScheduled',
      data: {
        service: 'cleaning',
        startsAt: '2026-03-04T20:00:00.000Z',
        callId: CALL,
        customer: { phone: '+15557770001' },
      },
    });
    await f.live.catchUp();
    expect(
      f.live.directory.callerHistory(TENANT, '+15557770001').appointments.map((a) => a.appointmentId),
    ).toEqual([appointmentId]);
  });

  it('a refused tool is told to the model, not thrown at the caller', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Hello.' }),
      () => ({
        toolCalls: [
          { id: 'c1', name: 'cancel_appointment', arguments: { appointmentId: 'nope', reason: 'x' } },
        ],
      }),
      () => ({ text: 'I could not find that appointment.' }),
    ]);
    const { gateway } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    const turn = await opening.session.hear({ text: 'Cancel my appointment', confidence: 0.9 });
    expect(turn.lines).toEqual(['I could not find that appointment.']);
    expect(requests[2]?.messages.at(-1)).toMatchObject({
      role: 'tool',
      content: expect.stringContaining('error'),
    });
  });

  it('a keyword of the agent’s rules escalates: queued when a person is available', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Hello.' }),
      () => ({ text: 'I am connecting you now.' }),
    ]);
    const { gateway, f } = await gatewayWith(model, { humans: true });
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    const turn = await opening.session.hear({
      text: 'I will call my lawyer about this bill',
      confidence: 0.9,
    });
    expect(turn.next).toEqual({ kind: 'queue', departmentId: 'reception' });
    const events = await f.events(callStream);
    expect(events.map((e) => e.type)).toContain('CallQueued');
    expect(events.find((e) => e.type === 'EscalationRequested')?.data).toMatchObject({ reason: 'keyword' });
    // The model heard what happened, as if it had called the tool itself.
    expect(requests[1]?.messages.at(-1)).toMatchObject({ role: 'tool', name: 'escalate_to_human' });
  });

  it('with nobody available the escalation is not queued and the model offers a message', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Hello.' }),
      () => ({ text: 'Can I take a message?' }),
    ]);
    const { gateway, f } = await gatewayWith(model, { humans: false });
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    const turn = await opening.session.hear({ text: 'I will call my lawyer', confidence: 0.9 });
    expect(turn.next).toEqual({ kind: 'listen' });
    expect(requests[1]?.messages.at(-1)?.role === 'tool' && requests[1].messages.at(-1)).toMatchObject({
      content: expect.stringContaining('no_humans_available'),
    });
    expect(await types(f)).not.toContain('CallQueued');
  });

  it('a caller switching to Spanish switches the call', async () => {
    const { model, requests } = scriptedModel([() => ({ text: 'Hello.' }), () => ({ text: 'Claro.' })]);
    const { gateway, f } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    const turn = await opening.session.hear({
      text: '¿Puedo hablar en español, por favor?',
      confidence: 0.9,
    });
    expect(turn.language).toBe('es');
    expect(requests[1]?.language).toBe('es');
    const changed = (await f.events(callStream)).find((e) => e.type === 'CallLanguageChanged');
    expect(changed?.data).toEqual({ language: 'es', previous: 'en' });
  });

  it('a model failure still gives the caller an answer and a recorded reply', async () => {
    const { model } = scriptedModel([() => ({ text: 'Hello.' })]);
    const { gateway, f } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    const turn = await opening.session.hear({ text: 'Hello?', confidence: 0.9 });
    expect(turn.lines[0]).toMatch(/trouble/);
    expect((await types(f)).at(-1)).toBe('AiReplied');
  });

  it('after hours the after-hours agent answers a department number', async () => {
    const { model } = scriptedModel([() => ({ text: 'We are closed, can I take a message?' })]);
    const { gateway, f } = await gatewayWith(model, { now: CLOSED_HOURS });
    const opening = await gateway.open(inbound('+15550000003'));
    expect(opening).toMatchObject({
      kind: 'agent',
      session: { setup: { agent: { agentId: 'owl' }, afterHours: true } },
    });
    expect((await f.events(callStream))[0]?.data).toMatchObject({ agentId: 'owl' });
  });

  it('an IVR menu routes by key to the department’s agent, and says the menu again after a wrong key', async () => {
    const { model } = scriptedModel([() => ({ text: 'Billing, this is Bill.' })]);
    const { gateway, f } = await gatewayWith(model);
    expect((await gateway.open(inbound('+15550000002'))).kind).toBe('ivr');
    expect((await gateway.chooseIvr(CALL, { kind: 'dtmf', value: '9' }))?.kind).toBe('ivr');
    const chosen = await gateway.chooseIvr(CALL, { kind: 'dtmf', value: '2' });
    expect(chosen).toMatchObject({ kind: 'agent', session: { setup: { agent: { agentId: 'bill' } } } });
    const events = await f.events(callStream);
    expect(events.map((e) => e.type)).toEqual([
      'CallStarted',
      'IvrOptionChosen',
      'IvrOptionChosen',
      'CallTransferred',
      'AiReplied',
    ]);
    expect(events[2]?.data).toMatchObject({ input: 'dtmf', value: '2', departmentId: 'billing' });
  });

  it('a call to an unknown number records nothing; one to an unassigned number is ended with the reason', async () => {
    const { model } = scriptedModel([]);
    const { gateway, f } = await gatewayWith(model);
    expect(await gateway.open(inbound('+15559999999'))).toMatchObject({ kind: 'refused' });
    expect(await f.events(callStream)).toEqual([]);
  });

  it('a supervisor who joined coaches the AI: the next turn’s prompt carries it, a resumed call keeps it', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Hello.' }),
      () => ({ text: 'I am connecting you now.' }),
      () => ({ text: 'We have a Saturday slot.' }),
      () => ({ text: 'Anything else?' }),
    ]);
    const { gateway, f } = await gatewayWith(model, { humans: true });
    // The carrier is this project's port; a recording double stands in for Twilio's REST API here.
    const redirects: string[] = [];
    const carrier: Carrier = {
      placeCall: () => Promise.reject(new Error('not in this test')),
      redirect: async (callId) => {
        redirects.push(callId);
      },
      hangUp: async () => undefined,
      findCalls: async () => [],
      startRecording: () => Promise.reject(new Error('not in this test')),
      stopRecording: () => Promise.reject(new Error('not in this test')),
      deleteRecording: () => Promise.reject(new Error('not in this test')),
    };
    const follow = humanHandover(gateway, carrier, () => undefined);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    await opening.session.hear({ text: 'I will call my lawyer about this bill', confidence: 0.9 });
    await f.handler.handleTrusted(
      'JoinHuman',
      { tenantId: TENANT, callId: CALL, userId: 'sup', mode: 'whisper' },
      { actor: SYSTEM_ACTOR, correlationId: CALL },
    );
    await f.handler.handleTrusted(
      'CoachAi',
      { tenantId: TENANT, callId: CALL, userId: 'sup', note: 'Offer the Saturday slot first.' },
      { actor: SYSTEM_ACTOR, correlationId: CALL },
    );
    for (const event of await f.events(callStream)) await follow(event);
    // A whisperer does not take the caller off the AI.
    expect(redirects).toEqual([]);
    expect(await gateway.joinedAs(CALL, 'sup')).toBe('whisper');
    expect(await gateway.joinedAs(CALL, 'someone-else')).toBeUndefined();
    await opening.session.hear({ text: 'Do you have anything on the weekend?', confidence: 0.9 });
    // In the call context: the agent's system prompt stays the same for every call (a server's prompt cache).
    expect(requests.at(-1)?.context).toContain('Offer the Saturday slot first.');
    expect(requests.at(-1)?.system).not.toContain('Saturday');
    expect(requests[1]?.context).not.toContain('Saturday');
    // Nothing of the coaching was said to the caller or recorded as the AI's words.
    const said = (await f.events(callStream)).filter(
      (e) => e.type === 'AiReplied' || e.type === 'UtteranceRecorded',
    );
    expect(JSON.stringify(said)).not.toContain('Offer the Saturday');

    // Another process picks the call up from its events, coaching included.
    const { gateway: resumedGateway } = await gatewayOn(f, model);
    const resumed = await resumedGateway.sessionOrResume(CALL);
    await resumed?.hear({ text: 'Thanks', confidence: 0.9 });
    expect(requests.at(-1)?.context).toContain('Offer the Saturday slot first.');
  });
});

describe('a caller line heard once', () => {
  it('the same line again, in the same process or after a restart, is answered as recorded', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Thanks for calling Acme Dental, this is Ava.' }),
      () => ({ text: 'Happy to help with that.' }),
    ]);
    const { gateway, f } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    const line = { text: 'When do you open?', confidence: 0.9 };
    const [first, concurrent] = await Promise.all([
      opening.session.hearLine(1, line),
      opening.session.hearLine(1, line),
    ]);
    expect(first.lines).toEqual(['Happy to help with that.']);
    expect(concurrent).toBe(first);
    const recorded = await types(f);
    expect(recorded).toEqual(['CallStarted', 'AiReplied', 'UtteranceRecorded', 'AiReplied']);
    // A line from the future is refused: lines come in order.
    await expect(opening.session.hearLine(3, line)).rejects.toThrow(/line 2, not 3/);

    // Another process (the platform restarted) gets the same line again: answered from the call's events.
    const { gateway: restarted } = await gatewayOn(f, model);
    const resumed = await restarted.sessionOrResume(CALL);
    const again = await resumed?.hearLine(1, line);
    expect(again?.lines).toEqual(['Happy to help with that.']);
    expect(resumed?.answerOf(0).lines).toEqual(['Thanks for calling Acme Dental, this is Ava.']);
    expect(await types(f)).toEqual(recorded);
    expect(requests).toHaveLength(2);
  });

  it('a line another process recorded first is not answered a second time', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Hello, this is Ava.' }),
      () => ({ text: 'Happy to help with that.' }),
    ]);
    const { gateway, f } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    // Two processes hold the call, each resumed before either heard line 1.
    const { gateway: other } = await gatewayOn(f, model);
    const elsewhere = await other.sessionOrResume(CALL);
    await opening.session.hearLine(1, { text: 'When do you open?', confidence: 0.9 });
    const recorded = await types(f);
    await elsewhere?.hearLine(1, { text: 'When do you open?', confidence: 0.9 });
    // The decider refused the repeated utterance id, so the other process asked no model.
    expect(await types(f)).toEqual(recorded);
    expect(requests).toHaveLength(2);
  });
});

describe('a call that rings again', () => {
  it('opens as the first time, in the same process or after a restart, asking no model', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Thanks for calling Acme Dental, this is Ava.' }),
    ]);
    const { gateway, f } = await gatewayWith(model);
    const first = await gateway.open(inbound('+15550000001'));
    if (first.kind !== 'agent') throw new Error(first.kind);
    const recorded = await types(f);

    const again = await gateway.open(inbound('+15550000001'));
    expect(again.kind === 'agent' && again.turn).toEqual(first.turn);
    const { gateway: restarted } = await gatewayOn(f, model);
    const resumed = await restarted.open(inbound('+15550000001'));
    expect(resumed.kind === 'agent' && resumed.turn.lines).toEqual(first.turn.lines);
    expect(await types(f)).toEqual(recorded);
    expect(requests).toHaveLength(1);
    // The same call id between other parties is not the same call.
    await expect(gateway.open({ ...inbound('+15550000001'), from: '+15557770002' })).rejects.toThrow(
      /already exists/,
    );
  });

  it('a greeting never recorded (the process stopped before it) is asked for once', async () => {
    const { model, requests } = scriptedModel([() => ({ text: 'Hello, this is Ava.' })]);
    const { gateway, f } = await gatewayWith(model);
    // What the stopped process recorded: the call, answered by Ava, and nothing more.
    await f.commands.send('StartCall', {
      tenantId: TENANT,
      callId: CALL,
      direction: 'inbound',
      from: '+15557770001',
      to: '+15550000001',
      provider: 'twilio',
      agentId: 'ava',
      departmentId: 'reception',
      language: 'en',
    });
    const [a, b] = await Promise.all([
      gateway.open(inbound('+15550000001')),
      gateway.open(inbound('+15550000001')),
    ]);
    expect(a.kind === 'agent' && a.turn.lines).toEqual(['Hello, this is Ava.']);
    expect(b.kind === 'agent' && b.turn.lines).toEqual(['Hello, this is Ava.']);
    expect(await types(f)).toEqual(['CallStarted', 'AiReplied']);
    expect(requests).toHaveLength(1);
  });

  it('an IVR call rung again after a restart hears the menu, its tries counted from the events', async () => {
    const { model } = scriptedModel([() => ({ text: 'Hello, this is Ava.' })]);
    const { gateway, f } = await gatewayWith(model);
    expect((await gateway.open(inbound('+15550000002'))).kind).toBe('ivr');
    expect((await gateway.chooseIvr(CALL, { kind: 'dtmf', value: '9' }, 1))?.kind).toBe('ivr');
    const recorded = await types(f);
    const { gateway: restarted } = await gatewayOn(f, model);
    const again = await restarted.open(inbound('+15550000002'));
    expect(again.kind === 'ivr' && again.attempt).toBe(2);
    expect(await types(f)).toEqual(recorded);
    // The menu goes on where it was: the caller's next key reaches the department's agent.
    const chosen = await restarted.chooseIvr(CALL, { kind: 'dtmf', value: '1' }, 2);
    expect(chosen?.kind).toBe('agent');
  });

  it('a call refused as it rang is refused again with the same words, recording nothing', async () => {
    const { model, requests } = scriptedModel([]);
    const { gateway, f } = await gatewayWith(model);
    const agent = { tenantId: TENANT, agentId: 'ava' };
    await f.commands.send('DisableAgent', agent);
    const first = await gateway.open(inbound('+15550000001'));
    expect(first).toMatchObject({ kind: 'refused', lines: [expect.stringContaining('nobody can take')] });
    const recorded = await types(f);
    // Decided from the call's events, not by routing again: Ava back at work does not change the answer.
    await f.commands.send('EnableAgent', agent);
    const again = await gateway.open(inbound('+15550000001'));
    expect(again).toEqual(first);
    expect(await types(f)).toEqual(recorded);
    expect(requests).toHaveLength(0);
  });
});

describe('a caller line recorded but never answered', () => {
  /** What a process that stopped mid-turn left: the call greeted, the caller's first line, no reply. */
  const stoppedAfterLine = async (f: GatewayFixture) =>
    f.commands.send('RecordUtterance', {
      tenantId: TENANT,
      callId: CALL,
      utteranceId: `${CALL}-c1`,
      speaker: 'caller',
      text: 'When do you open?',
      confidence: 0.9,
      language: 'en',
    });

  it('is answered once by the process that takes over, and not again', async () => {
    const { model, requests } = scriptedModel([
      () => ({ text: 'Hello, this is Ava.' }),
      () => ({ text: 'Happy to help with that.' }),
    ]);
    const { gateway, f } = await gatewayWith(model);
    if ((await gateway.open(inbound('+15550000001'))).kind !== 'agent') throw new Error('not answered');
    await stoppedAfterLine(f);

    const { gateway: restarted } = await gatewayOn(f, model);
    const resumed = await restarted.sessionOrResume(CALL);
    const line = { text: 'When do you open?', confidence: 0.9 };
    expect((await resumed?.hearLine(1, line))?.lines).toEqual(['Happy to help with that.']);
    expect((await resumed?.hearLine(1, line))?.lines).toEqual(['Happy to help with that.']);
    // Yet another process, later: answered from the events.
    const { gateway: third } = await gatewayOn(f, model);
    expect((await (await third.sessionOrResume(CALL))?.hearLine(1, line))?.lines).toEqual([
      'Happy to help with that.',
    ]);
    expect(await types(f)).toEqual(['CallStarted', 'AiReplied', 'UtteranceRecorded', 'AiReplied']);
    expect(requests).toHaveLength(2);
  });

  it('a process that held the call from before learns from the events that the line waits for a reply', async () => {
    const { model } = scriptedModel([
      () => ({ text: 'Hello, this is Ava.' }),
      () => ({ text: 'Happy to help with that.' }),
    ]);
    const { gateway, f } = await gatewayWith(model);
    const opening = await gateway.open(inbound('+15550000001'));
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    // Another process heard the line and stopped; this one still holds the call as it was before.
    await stoppedAfterLine(f);
    const turn = await opening.session.hearLine(1, { text: 'When do you open?', confidence: 0.9 });
    expect(turn.lines).toEqual(['Happy to help with that.']);
    expect(await types(f)).toEqual(['CallStarted', 'AiReplied', 'UtteranceRecorded', 'AiReplied']);
  });

  it('two processes answering it at once record one reply', async () => {
    const { model } = scriptedModel([
      () => ({ text: 'Hello, this is Ava.' }),
      () => ({ text: 'Happy to help with that.' }),
      () => ({ text: 'Nine in the morning.' }),
    ]);
    const { gateway, f } = await gatewayWith(model);
    if ((await gateway.open(inbound('+15550000001'))).kind !== 'agent') throw new Error('not answered');
    await stoppedAfterLine(f);
    const { gateway: one } = await gatewayOn(f, model);
    const { gateway: two } = await gatewayOn(f, model);
    const [a, b] = await Promise.all([one.sessionOrResume(CALL), two.sessionOrResume(CALL)]);
    const line = { text: 'When do you open?', confidence: 0.9 };
    await Promise.all([a?.hearLine(1, line), b?.hearLine(1, line)]);
    // The reply's id follows from the call's events, so the decider takes the second as the same reply.
    expect(await types(f)).toEqual(['CallStarted', 'AiReplied', 'UtteranceRecorded', 'AiReplied']);
  });
});
