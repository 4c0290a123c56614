import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeMachineVoice, isMachineVoiceFrame, MachineVoiceDecoder } from '../speech/machine-voice.js';
import { toFrames } from '../speech/mulaw.js';
import { hangUp, press, say, scripted } from './caller.js';
import { MediaStreamClient } from './media-stream-client.js';
import { placeInboundCall } from './phone-call.js';
import { twilioSid } from './signed-request.js';
import { startTwimlApp, twimlResponse as r, type TwimlApp } from './testing/twiml-app.js';
import { Conversation } from './transcript.js';

const authToken = 'media-auth-token-0123456789abcdef01';
const Seq = z.string().regex(/^\d+$/);
const StreamSid = z.string().regex(/^MZ[0-9a-f]{32}$/);

/** Twilio's documented messages from the network to the application, checked strictly. */
const ClientMessage = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('connected'), protocol: z.literal('Call'), version: z.literal('1.0.0') }),
  z.strictObject({
    event: z.literal('start'),
    sequenceNumber: Seq,
    streamSid: StreamSid,
    start: z.strictObject({
      streamSid: StreamSid,
      accountSid: z.string().regex(/^AC[0-9a-f]{32}$/),
      callSid: z.string().regex(/^CA[0-9a-f]{32}$/),
      tracks: z.tuple([z.literal('inbound')]),
      customParameters: z.record(z.string(), z.string()),
      mediaFormat: z.strictObject({
        encoding: z.literal('audio/x-mulaw'),
        sampleRate: z.literal(8000),
        channels: z.literal(1),
      }),
    }),
  }),
  z.strictObject({
    event: z.literal('media'),
    sequenceNumber: Seq,
    streamSid: StreamSid,
    media: z.strictObject({
      track: z.literal('inbound'),
      chunk: Seq,
      timestamp: Seq,
      payload: z.base64().refine((p) => Buffer.from(p, 'base64').length === 160, '160 bytes of μ-law'),
    }),
  }),
  z.strictObject({
    event: z.literal('dtmf'),
    sequenceNumber: Seq,
    streamSid: StreamSid,
    dtmf: z.strictObject({ track: z.literal('inbound_track'), digit: z.string().regex(/^[0-9*#]$/) }),
  }),
  z.strictObject({
    event: z.literal('mark'),
    sequenceNumber: Seq,
    streamSid: StreamSid,
    mark: z.strictObject({ name: z.string() }),
  }),
  z.strictObject({
    event: z.literal('stop'),
    sequenceNumber: Seq,
    streamSid: StreamSid,
    stop: z.strictObject({ accountSid: z.string(), callSid: z.string() }),
  }),
]);
type ClientMessage = z.infer<typeof ClientMessage>;

interface AgentLog {
  messages: ClientMessage[];
  invalid: string[];
  marks: { name: string; sentAt: number; echoedAt?: number }[];
  signatureValid?: boolean;
}

/**
 * A stand-in for the application's end of a bidirectional Media Stream: it decodes the caller's machine voice,
 * answers in machine voice with a mark after each line, sends `clear` when the caller talks over unplayed audio,
 * and closes the socket after "Bye" has played.
 */
const echoAgent = (greeting: readonly string[]) => {
  const log: AgentLog = { messages: [], invalid: [], marks: [] };
  const attach = (ws: WebSocket, _request: unknown, signatureValid: boolean) => {
    log.signatureValid = signatureValid;
    const decoder = new MachineVoiceDecoder();
    let streamSid = '';
    let leaving = false;
    const pending = new Set<string>();
    const speak = (line: string) => {
      const frames = toFrames(encodeMachineVoice(line));
      for (let i = 0; i < frames.length; i += 10) {
        ws.send(
          JSON.stringify({
            event: 'media',
            streamSid,
            media: { payload: Buffer.concat(frames.slice(i, i + 10)).toString('base64') },
          }),
        );
      }
      const name = `mark-${log.marks.length + 1}`;
      log.marks.push({ name, sentAt: performance.now() });
      pending.add(name);
      ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name } }));
    };
    ws.on('message', (raw) => {
      const parsed = ClientMessage.safeParse(JSON.parse(String(raw)));
      if (!parsed.success) {
        log.invalid.push(String(raw).slice(0, 200));
        return;
      }
      const message = parsed.data;
      log.messages.push(message);
      switch (message.event) {
        case 'start':
          streamSid = message.streamSid;
          for (const line of greeting) speak(line);
          return;
        case 'media': {
          const frame = Buffer.from(message.media.payload, 'base64');
          if (pending.size > 0 && isMachineVoiceFrame(frame)) {
            ws.send(JSON.stringify({ event: 'clear', streamSid }));
            pending.clear();
          }
          for (const utterance of decoder.push(frame)) {
            if (/bye/i.test(utterance.text)) {
              leaving = true;
              speak('Bye');
            } else speak(`You said: ${utterance.text}`);
          }
          return;
        }
        case 'dtmf':
          speak(`You pressed ${message.dtmf.digit}`);
          return;
        case 'mark': {
          pending.delete(message.mark.name);
          const mark = log.marks.find((m) => m.name === message.mark.name);
          if (mark) mark.echoedAt = performance.now();
          if (leaving && pending.size === 0) ws.close();
          return;
        }
        default:
          return;
      }
    });
  };
  return { log, attach };
};

let app: TwimlApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('Media Streams client (Twilio bidirectional protocol)', () => {
  it('hands the call to <Connect><Stream>, talks in machine voice, echoes marks, then goes on with the TwiML', async () => {
    const agent = echoAgent(['Hello, how can I help?']);
    app = await startTwimlApp(authToken, {
      '/voice': () =>
        r(
          '<Connect><Stream url="/media"><Parameter name="callId" value="call-7"/></Stream></Connect><Say>Back in TwiML</Say>',
        ),
    });
    app.onStream = agent.attach;
    const result = await placeInboundCall({
      baseUrl: app.url,
      voicePath: '/voice',
      authToken,
      from: '+15550001111',
      to: '+15550002222',
      caller: scripted([say('I need help'), press('5'), say('OK bye')]),
      media: { realtime: false },
      timeScale: 0,
    });
    expect(agent.log.invalid).toEqual([]);
    expect(agent.log.signatureValid).toBe(true);
    expect(result.heard).toEqual([
      'Hello, how can I help?',
      'You said: I need help',
      'You pressed 5',
      'Bye',
      'Back in TwiML',
    ]);
    const [connected, start] = agent.log.messages;
    expect(connected).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(start).toMatchObject({
      event: 'start',
      sequenceNumber: '1',
      start: { callSid: result.callSid, customParameters: { callId: 'call-7' } },
    });
    const numbered = agent.log.messages.flatMap((m) =>
      'sequenceNumber' in m ? [Number(m.sequenceNumber)] : [],
    );
    expect(numbered).toEqual(numbered.map((_, i) => i + 1));
    const chunks = agent.log.messages.flatMap((m) => (m.event === 'media' ? [m.media] : []));
    expect(chunks.map((c) => Number(c.chunk))).toEqual(chunks.map((_, i) => i + 1));
    expect(chunks.map((c) => Number(c.timestamp))).toEqual(chunks.map((_, i) => i * 20));
    expect(agent.log.marks.every((m) => m.echoedAt !== undefined)).toBe(true);
    const [stream] = result.streams;
    expect(stream?.end).toBe('stream-closed');
    expect(stream?.protocolErrors).toEqual([]);
    expect(stream?.timings.map((t) => t.utterance)).toEqual(['I need help', 'OK bye']);
    expect(
      stream?.timings.every((t) => t.fromSpeechEndMs >= 0 && t.fromSpeechEndMs >= (t.fromLastFrameMs ?? 0)),
    ).toBe(true);
  });

  it(
    'plays agent audio at speaking speed in real time: a mark comes back once the audio before it has played',
    { timeout: 20_000 },
    async () => {
      const agent = echoAgent(['This line takes about one second to say.']);
      app = await startTwimlApp(authToken);
      app.onStream = agent.attach;
      const call = {
        callSid: twilioSid('CA'),
        accountSid: twilioSid('AC'),
        from: '+1555',
        to: '+1666',
        direction: 'inbound' as const,
      };
      const client = await MediaStreamClient.connect({
        url: `${app.url.replace('http', 'ws')}/media`,
        authToken,
        call,
      });
      const conversation = new Conversation();
      const end = await client.converse(scripted([hangUp()]), conversation);
      expect(end).toBe('caller-hung-up');
      const [mark] = agent.log.marks;
      const audioMs = toFrames(encodeMachineVoice('This line takes about one second to say.')).length * 20;
      expect((mark?.echoedAt ?? 0) - (mark?.sentAt ?? 0)).toBeGreaterThan(audioMs - 100);
      expect(conversation.heard).toEqual(['This line takes about one second to say.']);
      expect(agent.log.messages.at(-1)?.event).toBe('stop');
      // In real time the caller's side sends a frame every 20 ms even when silent.
      expect(client.mediaFramesSent).toBeGreaterThan(audioMs / 20 - 10);
    },
  );

  it(
    'barges in: speaks over the agent, the application clears, unplayed marks are echoed at once',
    { timeout: 20_000 },
    async () => {
      const greeting = [
        'Welcome to the very long introduction.',
        'Here is a second line nobody hears.',
        'And a third.',
      ];
      const agent = echoAgent(greeting);
      app = await startTwimlApp(authToken);
      app.onStream = agent.attach;
      const call = {
        callSid: twilioSid('CA'),
        accountSid: twilioSid('AC'),
        from: '+1555',
        to: '+1666',
        direction: 'inbound' as const,
      };
      const client = await MediaStreamClient.connect({
        url: `${app.url.replace('http', 'ws')}/media`,
        authToken,
        call,
        bargeInAfterMs: 300,
      });
      const conversation = new Conversation();
      await client.converse(scripted([say('I want a person', { bargeIn: true }), hangUp()]), conversation);
      expect(client.clears).toBe(1);
      expect(client.marksEchoed.slice(0, 3)).toEqual(['mark-1', 'mark-2', 'mark-3']);
      const [first, second, third] = agent.log.marks;
      // The three greeting marks came back together at the clear, long before their audio could have played.
      expect(Math.max(first?.echoedAt ?? NaN, third?.echoedAt ?? NaN)).toBeLessThan(
        agent.log.marks[3]?.sentAt ?? 0,
      );
      expect(second?.echoedAt).toBeDefined();
      const agentLines = conversation.lines.filter((l) => l.speaker === 'agent');
      expect(agentLines[0]).toMatchObject({ interrupted: true });
      expect(greeting[0]?.startsWith(agentLines[0]?.text ?? '-')).toBe(true);
      expect(conversation.heard).not.toContain(greeting[1]);
      expect(conversation.heard.at(-1)).toBe('You said: I want a person');
      expect(client.timings[0]?.utterance).toBe('I want a person');
    },
  );

  it('is refused by an application that checks the upgrade signature when the signature is forged', async () => {
    app = await startTwimlApp(authToken);
    let valid: boolean | undefined;
    app.onStream = (ws, _request, signatureValid) => {
      valid = signatureValid;
      ws.close();
    };
    const call = {
      callSid: twilioSid('CA'),
      accountSid: twilioSid('AC'),
      from: '+1555',
      to: '+1666',
      direction: 'inbound' as const,
    };
    const client = await MediaStreamClient.connect({
      url: `${app.url.replace('http', 'ws')}/media`,
      authToken,
      call,
      signature: 'forged',
      realtime: false,
    });
    await client.done;
    expect(valid).toBe(false);
  });
});
