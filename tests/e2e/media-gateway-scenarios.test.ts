import { describe, expect, it } from 'vitest';
import { hangUp, say, scripted, scenario, type ScenarioName } from '@ccp/media-gateway/simulator';
import { DEMO_IVR_NUMBER, DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import {
  call,
  CALLER,
  clean,
  content,
  DAY,
  env,
  eventOf,
  NIGHT,
  typesOf,
  useGatewayPlatform,
} from '../support/gateway-calls.js';

// Every scenario of the caller simulator, by keypad, voice and media stream, in and out of opening hours.
let clock = DAY;
useGatewayPlatform(() => clock);

describe('the caller simulator completes every scenario on the embedded platform', () => {
  const run = async (name: ScenarioName, to: string, mode: 'gather' | 'stream' = 'gather') => {
    const s = scenario(name, content);
    const result = await call(to, s.caller, { mode });
    if (process.env['SHOW_CALLS']) console.log(result.transcript.map((l) => JSON.stringify(l)).join('\n'));
    expect(result.errors).toEqual([]);
    expect(s.check(result.heard)).toEqual([]);
    expect(s.caller.failures).toEqual([]);
    return result;
  };

  it('FAQ answered from the knowledge base', { timeout: 30_000 }, async () => {
    const result = await run('faq', DEMO_NUMBER);
    const tool = await eventOf(result.callSid, 'ToolInvoked');
    expect(tool?.data).toMatchObject({ name: 'search_knowledge_base', status: 'succeeded' });
    expect(JSON.stringify(tool?.data)).toContain('article:insurance');
    expect(await typesOf(result.callSid)).toEqual(
      expect.arrayContaining(['UtteranceRecorded', 'AiReplied', 'CallEnded', 'CallSummarized']),
    );
  });

  it(
    'an appointment booked, in the tenant’s time zone, linked to the caller',
    { timeout: 30_000 },
    async () => {
      const result = await run('book', DEMO_NUMBER);
      const tool = (await env.callEvents(result.callSid)).find(
        (e) => e.type === 'ToolInvoked' && (e.data as { name: string }).name === 'book_appointment',
      );
      const { appointmentId } = (tool?.data as { result: { appointmentId: string } }).result;
      const [scheduled] = await env.test.platform.store.readStream(
        `appointment-${DEMO_TENANT}.${appointmentId}`,
      );
      expect(scheduled?.type).toBe('AppointmentScheduled');
      const data = scheduled?.data as {
        startsAt: string;
        customer: { name: string; phone: string };
        callId: string;
      };
      expect(data.customer).toEqual({ name: 'Ana Lopez', phone: CALLER });
      expect(data.callId).toBe(result.callSid);
      // "Tomorrow at 3 pm" said on a Monday in New York is Tuesday 15:00 there.
      const local = new Intl.DateTimeFormat('en-US', {
        timeZone: 'America/New_York',
        weekday: 'short',
        hour: 'numeric',
        hourCycle: 'h23',
      }).format(new Date(data.startsAt));
      expect(local).toBe('Tue, 15');
      expect((await eventOf(result.callSid, 'CallSummarized'))?.data).toMatchObject({
        outcome: 'appointment booked',
      });
    },
  );

  it('IVR by keypad', { timeout: 30_000 }, async () => {
    const result = await run('ivr-dtmf', DEMO_IVR_NUMBER);
    expect((await eventOf(result.callSid, 'IvrOptionChosen'))?.data).toMatchObject({
      input: 'dtmf',
      value: '3',
      departmentId: 'billing',
    });
    expect((await eventOf(result.callSid, 'CallTransferred'))?.data).toMatchObject({
      to: { kind: 'agent', id: 'nora' },
    });
  });

  it('IVR by voice', { timeout: 30_000 }, async () => {
    const result = await run('ivr-voice', DEMO_IVR_NUMBER);
    expect((await eventOf(result.callSid, 'IvrOptionChosen'))?.data).toMatchObject({
      input: 'speech',
      departmentId: 'billing',
    });
  });

  it('a caller switching to Spanish on a media stream', { timeout: 30_000 }, async () => {
    const result = await run('spanish', DEMO_NUMBER, 'stream');
    expect(result.streams[0]?.mediaFramesSent).toBeGreaterThan(0);
    expect((await eventOf(result.callSid, 'CallLanguageChanged'))?.data).toMatchObject({
      language: 'es',
      previous: 'en',
    });
    const replies = (await env.callEvents(result.callSid)).filter((e) => e.type === 'AiReplied');
    expect(replies.at(-1)?.data).toMatchObject({ language: 'es' });
  });

  it(
    'a caller on a real-time media stream talks over the greeting and hears a filler line while the search runs',
    { timeout: 60_000 },
    async () => {
      const caller = scripted([
        say(content.question, { bargeIn: true }),
        say('Thank you, goodbye'),
        hangUp(),
      ]);
      const result = await call(DEMO_NUMBER, caller, { mode: 'stream', realtime: true });
      clean(result);
      expect(caller.failures).toEqual([]);
      const stream = result.streams[0];
      // Barge-in: the gateway cleared the greeting's unplayed audio as soon as the caller spoke.
      expect(stream?.clears).toBeGreaterThanOrEqual(1);
      expect(stream?.protocolErrors).toEqual([]);
      const agentLines = result.transcript.filter((l) => l.speaker === 'agent');
      expect(agentLines[0]).toMatchObject({ interrupted: true });
      // The filler line is its own line, heard before the answer it stood in for.
      const filler = result.heard.findIndex((line) =>
        /one moment while i check|let me check that/i.test(line),
      );
      const answer = result.heard.findIndex((line) => content.expectedAnswer.test(line));
      expect(filler).toBeGreaterThan(0);
      expect(answer).toBeGreaterThan(filler);
      const tool = await eventOf(result.callSid, 'ToolInvoked');
      expect(tool?.data).toMatchObject({ name: 'search_knowledge_base', status: 'succeeded' });
      const question = (await env.callEvents(result.callSid)).find(
        (e) => e.type === 'UtteranceRecorded' && (e.data as { speaker: string }).speaker === 'caller',
      );
      expect(question?.data).toMatchObject({ text: content.question });
    },
  );

  it(
    'after hours: the after-hours agent takes a message, filed as a ticket',
    { timeout: 30_000 },
    async () => {
      clock = NIGHT;
      try {
        const result = await run('after-hours', DEMO_NUMBER);
        expect((await eventOf(result.callSid, 'CallStarted'))?.data).toMatchObject({ agentId: 'mateo' });
        const message = await eventOf(result.callSid, 'MessageTaken');
        expect(message?.data).toMatchObject({ message: expect.stringContaining('crown') });
        const ticketId = (message?.data as { ticketId: string }).ticketId;
        const [ticket] = await env.test.platform.store.readStream(`ticket-${DEMO_TENANT}.${ticketId}`);
        expect(ticket?.type).toBe('TicketOpened');
      } finally {
        clock = DAY;
      }
    },
  );
});
