import type { CallerTurn } from './caller.js';
import { CallOver, type Document, type RunningCall } from './running-call.js';
import { gatherParams, recordingStatusParams, twilioSid, type GatherResult } from './signed-request.js';
import type { Conversation } from './transcript.js';
import type { Gather, Prompt, RecordVerb } from './twiml.js';

/** The verbs that talk with the caller: what they hear (Say, Play, Pause), a Gather of their answer, a Record. */

/** About how long a voice takes to say a line. */
const speakingSeconds = (text: string) => Math.max(1, text.split(/\s+/).length / 2.5);

export const playPrompt = async (call: RunningCall, prompt: Prompt): Promise<void> => {
  if (prompt.verb === 'Pause') return call.pass(prompt.length);
  // loop="0" means "until the call moves on"; once is enough for a transcript.
  const times = Math.max(1, prompt.loop);
  for (let i = 0; i < times; i += 1) {
    if (prompt.verb === 'Say') {
      call.conversation.agent(prompt.text, 'twiml', { voice: prompt.voice, language: prompt.language });
      await call.pass(speakingSeconds(prompt.text));
    } else {
      call.conversation.agent('', 'twiml', { playUrl: prompt.url ?? `digits:${prompt.digits ?? ''}` });
      await call.pass(1);
    }
  }
};

export const askCaller = async (
  call: RunningCall,
  listening: Parameters<Conversation['ask']>[1],
): Promise<CallerTurn> => {
  const turn = await call.race(call.conversation.ask(call.options.caller, listening));
  if (turn.kind === 'hangUp') throw new CallOver('caller');
  if (turn.kind === 'say') for (const fork of call.forks.values()) void fork.speak(turn.text);
  return turn;
};

export const runGather = async (
  call: RunningCall,
  gather: Gather,
): Promise<(() => Promise<Document>) | 'continue'> => {
  for (const prompt of gather.prompts) await playPrompt(call, prompt);
  const turn = await askCaller(call, gather.input.join(' ') as 'dtmf' | 'speech' | 'dtmf speech');
  let result: GatherResult = { kind: 'empty' };
  if (turn.kind === 'say' && gather.input.includes('speech') && turn.text.trim() !== '') {
    await call.pass(speakingSeconds(turn.text));
    result = { kind: 'speech', text: turn.text, confidence: turn.confidence ?? 0.92 };
  } else if (turn.kind === 'press' && gather.input.includes('dtmf')) {
    // The finish key ends input and is not sent; numDigits ends it as soon as that many were pressed.
    let digits = turn.digits.split(gather.finishOnKey === '' ? /(?!)/ : gather.finishOnKey)[0] ?? '';
    if (gather.numDigits !== undefined) digits = digits.slice(0, gather.numDigits);
    if (digits !== '') result = { kind: 'dtmf', digits };
  }
  if (result.kind === 'empty') {
    const wait = turn.kind === 'silence' && turn.seconds !== undefined ? turn.seconds : gather.timeout;
    await call.pass(wait);
    if (!gather.actionOnEmptyResult) return 'continue';
  }
  return () => call.fetchDocument(gather.action, gather.method, gatherParams(result));
};

export const runRecord = async (
  call: RunningCall,
  verb: RecordVerb,
): Promise<(() => Promise<Document>) | 'continue'> => {
  if (verb.playBeep) call.conversation.network('[beep]');
  let turn: CallerTurn;
  let hungUp = false;
  try {
    turn = await askCaller(call, 'record');
  } catch (error) {
    if (!(error instanceof CallOver)) throw error;
    turn = { kind: 'hangUp' };
    hungUp = true;
  }
  if (turn.kind !== 'say') {
    // Nothing recorded: Twilio goes on with the next verb (or the call is over).
    if (hungUp) throw new CallOver('caller');
    await call.pass(verb.timeout);
    return 'continue';
  }
  const durationSeconds = Math.min(verb.maxLength, Math.ceil(speakingSeconds(turn.text)));
  await call.pass(durationSeconds + verb.timeout);
  const recordingSid = twilioSid('RE');
  const base = call.options.recordingBaseUrl ?? 'https://api.twilio.com';
  const recordingUrl = `${base}/2010-04-01/Accounts/${call.parties.accountSid}/Recordings/${recordingSid}`;
  call.recordings.set(recordingSid, turn.text);
  const facts = { recordingSid, recordingUrl, durationSeconds };
  if (verb.recordingStatusCallback !== undefined) {
    await call.notify(
      verb.recordingStatusCallback,
      verb.recordingStatusCallbackMethod,
      recordingStatusParams(call.parties, facts),
    );
  }
  if (verb.transcribe && verb.transcribeCallback !== undefined) {
    await call.notify(verb.transcribeCallback, 'POST', {
      AccountSid: call.parties.accountSid,
      CallSid: call.parties.callSid,
      RecordingSid: recordingSid,
      RecordingUrl: recordingUrl,
      TranscriptionSid: twilioSid('TR'),
      TranscriptionText: turn.text,
      TranscriptionStatus: 'completed',
    });
  }
  return () =>
    call.fetchDocument(verb.action, verb.method, {
      RecordingSid: recordingSid,
      RecordingUrl: recordingUrl,
      RecordingDuration: String(durationSeconds),
    });
};
