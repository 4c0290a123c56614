import twilio from 'twilio';
import { withRegion, twilioVoice } from './voices.js';

const { VoiceResponse } = twilio.twiml;
type Response = InstanceType<typeof VoiceResponse>;

export interface Speech {
  readonly lines: readonly string[];
  readonly language: string;
  readonly voice: string;
}

const say = (target: Pick<Response, 'say'>, speech: Speech): void => {
  for (const line of speech.lines) {
    target.say(
      {
        voice: twilioVoice(speech.voice, speech.language) as never,
        language: withRegion(speech.language) as never,
      },
      line,
    );
  }
};

/**
 * What a call says before its first turn when the tenant asks for recording consent: the announcement, then
 * (`recordingCallback` given) the whole call's recording starts, reported to that callback.
 */
export interface RecordingPreamble {
  readonly announcement: Speech;
  readonly recordingCallback?: string;
}

const preamble = (response: Response, before: RecordingPreamble | undefined): void => {
  if (!before) return;
  say(response, before.announcement);
  if (before.recordingCallback !== undefined) {
    response.start().recording({
      recordingStatusCallback: before.recordingCallback,
      recordingStatusCallbackMethod: 'POST',
      recordingStatusCallbackEvent: ['completed'],
    });
  }
};

export interface ListenOptions {
  /** A key ends the gather too (the recording consent keys); otherwise speech only. */
  readonly keys?: boolean;
  readonly before?: RecordingPreamble;
}

/** Speak, then listen for the caller's next words; what is said inside the gather can be talked over. */
export const listenTwiml = (
  speech: Speech,
  action: string,
  hints: readonly string[] = [],
  options: ListenOptions = {},
): string => {
  const response = new VoiceResponse();
  preamble(response, options.before);
  const gather = response.gather({
    ...(options.keys === true ? { input: ['dtmf', 'speech'], numDigits: 1 } : { input: ['speech'] }),
    action,
    method: 'POST',
    language: withRegion(speech.language) as never,
    speechTimeout: 'auto',
    speechModel: 'phone_call',
    enhanced: true,
    bargeIn: true,
    actionOnEmptyResult: true,
    ...(hints.length > 0 && { hints: hints.join(', ').slice(0, 1000) }),
  });
  say(gather, speech);
  return response.toString();
};

/** A keypad-or-voice menu. */
export const menuTwiml = (speech: Speech, action: string, hints: readonly string[]): string => {
  const response = new VoiceResponse();
  const gather = response.gather({
    input: ['dtmf', 'speech'],
    numDigits: 1,
    action,
    method: 'POST',
    timeout: 6,
    language: withRegion(speech.language) as never,
    hints: hints.join(', ').slice(0, 1000),
    actionOnEmptyResult: true,
  });
  say(gather, speech);
  return response.toString();
};

export const hangUpTwiml = (speech: Speech): string => {
  const response = new VoiceResponse();
  say(response, speech);
  response.hangup();
  return response.toString();
};

/** The feedback question: one key from 1 to 5, then the answer goes to `action`. */
export const feedbackTwiml = (speech: Speech, question: Speech, action: string): string => {
  const response = new VoiceResponse();
  say(response, speech);
  const gather = response.gather({
    input: ['dtmf'],
    numDigits: 1,
    action,
    method: 'POST',
    timeout: 6,
    actionOnEmptyResult: true,
  });
  say(gather, question);
  return response.toString();
};

/** Into a department's queue to wait for a person, with hold messages from `waitUrl`. */
export const enqueueTwiml = (speech: Speech, queue: string, waitUrl: string, action: string): string => {
  const response = new VoiceResponse();
  say(response, speech);
  response.enqueue({ waitUrl, waitUrlMethod: 'POST', action, method: 'POST' }, queue);
  return response.toString();
};

export const holdTwiml = (speech: Speech, pauseSeconds: number): string => {
  const response = new VoiceResponse();
  say(response, speech);
  response.pause({ length: pauseSeconds });
  return response.toString();
};

export const leaveQueueTwiml = (): string => {
  const response = new VoiceResponse();
  response.leave();
  return response.toString();
};

/** Hands the call's audio to the Media Streams socket; when the socket closes Twilio goes on to `after`. */
export const streamTwiml = (
  streamUrl: string,
  parameters: Readonly<Record<string, string>>,
  after: string,
  before?: RecordingPreamble,
): string => {
  const response = new VoiceResponse();
  preamble(response, before);
  const stream = response.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  response.redirect({ method: 'POST' }, after);
  return response.toString();
};

/** Brings the caller into the call's conference, where a person joins them (take-over). */
export const conferenceTwiml = (speech: Speech, conference: string): string => {
  const response = new VoiceResponse();
  say(response, speech);
  response.dial().conference({ startConferenceOnEnter: true, endConferenceOnExit: true }, conference);
  return response.toString();
};

/**
 * A person's leg into the call's conference: talking (barge / take-over), listening muted, or whispering as
 * Twilio's coach of the person talking to the caller, whom only that person hears. With nobody to coach yet,
 * a whisperer listens.
 */
export const humanLegTwiml = (
  conference: string,
  leg:
    | { readonly mode: 'barge' }
    | { readonly mode: 'listen' }
    | { readonly mode: 'whisper'; readonly coach?: string },
): string => {
  const response = new VoiceResponse();
  const coach = leg.mode === 'whisper' ? leg.coach : undefined;
  response.dial().conference(
    {
      startConferenceOnEnter: leg.mode === 'barge',
      endConferenceOnExit: false,
      ...(leg.mode !== 'barge' && coach === undefined && { muted: true }),
      ...(coach !== undefined && { coach }),
    },
    conference,
  );
  return response.toString();
};

/** Says why a leg is turned away, then hangs up. */
export const refuseLegTwiml = (reason: string): string => {
  const response = new VoiceResponse();
  response.say(reason);
  response.hangup();
  return response.toString();
};
