import { describe, expect, it } from 'vitest';
import { parseTwiml, TwimlError } from './twiml.js';

const doc = 'http://app.test/twilio/voice?tenant=t1';

describe('TwiML parsing', () => {
  it('keeps verb order, attributes and Twilio defaults, and resolves relative URLs against the document', () => {
    const verbs = parseTwiml(
      `<?xml version="1.0" encoding="UTF-8"?>
      <Response>
        <Say voice="Polly.Joanna" language="en-US">Hello &amp; welcome</Say>
        <Gather input="dtmf speech" action="/twilio/ivr" numDigits="1" timeout="6" hints="billing, sales" actionOnEmptyResult="true">
          <Say>Press 1 for sales.</Say><Pause length="2"/><Play>hold.mp3</Play>
        </Gather>
        <Gather><Say>Default gather</Say></Gather>
        <Redirect method="GET">../other</Redirect>
        <Hangup/>
      </Response>`,
      doc,
    );
    expect(verbs.map((v) => v.verb)).toEqual(['Say', 'Gather', 'Gather', 'Redirect', 'Hangup']);
    expect(verbs[0]).toEqual({
      verb: 'Say',
      text: 'Hello & welcome',
      voice: 'Polly.Joanna',
      language: 'en-US',
      loop: 1,
    });
    expect(verbs[1]).toMatchObject({
      verb: 'Gather',
      input: ['dtmf', 'speech'],
      action: 'http://app.test/twilio/ivr',
      method: 'POST',
      numDigits: 1,
      timeout: 6,
      hints: ['billing', 'sales'],
      actionOnEmptyResult: true,
      bargeIn: true,
      finishOnKey: '#',
      prompts: [
        { verb: 'Say', text: 'Press 1 for sales.' },
        { verb: 'Pause', length: 2 },
        { verb: 'Play', url: 'http://app.test/twilio/hold.mp3' },
      ],
    });
    // Without an action Twilio posts the result back to the document's own URL; input defaults to dtmf.
    expect(verbs[2]).toMatchObject({ input: ['dtmf'], action: doc, timeout: 5, actionOnEmptyResult: false });
    expect(verbs[3]).toEqual({ verb: 'Redirect', url: 'http://app.test/other', method: 'GET' });
  });

  it('reads SSML inside Say as its text', () => {
    const [say] = parseTwiml(
      '<Response><Say>One <break time="1s"/> two <prosody rate="slow">three</prosody></Say></Response>',
      doc,
    );
    expect(say).toMatchObject({ text: 'One two three' });
  });

  it('parses queues, dials, recordings and streams with their nouns', () => {
    const verbs = parseTwiml(
      `<Response>
        <Enqueue waitUrl="/wait" action="/exit">support</Enqueue>
        <Dial action="/dialed" timeout="20"><Number>+15550001111</Number><Client>alice</Client><Sip>sip:a@b</Sip><Queue url="/about">support</Queue><Conference startConferenceOnEnter="true" endConferenceOnExit="true" muted="true">room</Conference></Dial>
        <Dial>+15550002222</Dial>
        <Record action="/recorded" maxLength="60" playBeep="false" recordingStatusCallback="/rec" transcribe="true" transcribeCallback="/tr"/>
        <Connect action="/after"><Stream url="/twilio/media"><Parameter name="callId" value="c-1"/><Parameter name="tenant" value="t1"/></Stream></Connect>
        <Start><Stream name="fork" url="wss://media.test/fork" track="inbound_track"/></Start>
        <Stop><Stream name="fork"/></Stop>
        <Leave/><Reject reason="busy"/>
      </Response>`,
      doc,
    );
    expect(verbs[0]).toEqual({
      verb: 'Enqueue',
      name: 'support',
      waitUrl: 'http://app.test/wait',
      waitUrlMethod: 'POST',
      action: 'http://app.test/exit',
      method: 'POST',
    });
    expect(verbs[1]).toMatchObject({
      verb: 'Dial',
      action: 'http://app.test/dialed',
      timeout: 20,
      targets: [
        { kind: 'Number', number: '+15550001111' },
        { kind: 'Client', identity: 'alice' },
        { kind: 'Sip', uri: 'sip:a@b' },
        { kind: 'Queue', name: 'support', url: 'http://app.test/about' },
        {
          kind: 'Conference',
          name: 'room',
          startConferenceOnEnter: true,
          endConferenceOnExit: true,
          muted: true,
        },
      ],
    });
    expect(verbs[2]).toMatchObject({ verb: 'Dial', targets: [{ kind: 'Number', number: '+15550002222' }] });
    expect(verbs[3]).toMatchObject({
      verb: 'Record',
      action: 'http://app.test/recorded',
      maxLength: 60,
      playBeep: false,
      recordingStatusCallback: 'http://app.test/rec',
      transcribe: true,
      transcribeCallback: 'http://app.test/tr',
    });
    expect(verbs[4]).toEqual({
      verb: 'Connect',
      action: 'http://app.test/after',
      method: 'POST',
      stream: {
        url: 'ws://app.test/twilio/media',
        parameters: { callId: 'c-1', tenant: 't1' },
        name: undefined,
        track: undefined,
        statusCallback: undefined,
      },
    });
    expect(verbs[5]).toMatchObject({
      verb: 'Start',
      stream: { name: 'fork', url: 'wss://media.test/fork', track: 'inbound_track' },
    });
    expect(verbs[6]).toEqual({ verb: 'Stop', streamName: 'fork' });
    expect(verbs.slice(7)).toEqual([{ verb: 'Leave' }, { verb: 'Reject', reason: 'busy' }]);
  });

  it('refuses what Twilio would refuse, with a clear error', () => {
    const refuse = (xml: string, message: RegExp) => {
      expect(() => parseTwiml(xml, doc)).toThrow(TwimlError);
      expect(() => parseTwiml(xml, doc)).toThrow(message);
    };
    refuse('<Response><Dance/></Response>', /<Dance> is not a TwiML voice verb/);
    refuse('<Response><Gather><Hangup/></Gather></Response>', /<Hangup> is not allowed here/);
    refuse('<Response><Gather input="fax"/></Response>', /<Gather>/);
    refuse('<Response><Pause length="soon"/></Response>', /<Pause>/);
    refuse('<Html><Say>x</Say></Html>', /root element must be <Response>/);
    refuse('<Response><Say>unclosed</Response>', /not well-formed XML/);
    refuse('<Response><Connect><Stream url="https://media.test/x"/></Connect></Response>', /wss:\/\//);
    refuse('<Response><Redirect/></Response>', /needs a URL/);
  });
});
