import { describe, expect, it } from 'vitest';
import { decodeMachineVoice, encodeMachineVoice } from './machine-voice.js';
import { framesOf, noiseFrames, silenceFrames, toneFrames } from './testing/signals.js';
import {
  VoiceActivityDetector,
  type VoiceActivityEvent,
  type VoiceActivityOptions,
} from './voice-activity.js';

/** Runs frames through a detector and notes at which frame index each event came. */
const run = (frames: readonly Buffer[], options?: VoiceActivityOptions) => {
  const vad = new VoiceActivityDetector(options);
  return frames.flatMap((frame, index) => vad.push(frame).map((event) => ({ index, event })));
};
const ofType = <T extends VoiceActivityEvent['type']>(events: ReturnType<typeof run>, type: T) =>
  events.filter(
    (e): e is { index: number; event: Extract<VoiceActivityEvent, { type: T }> } => e.event.type === type,
  );

// A crude vowel: a few formant-like tones at about −20 dBFS.
const vowel = (ms: number) => toneFrames([300, 800, 1200, 2400], ms, 9000);

describe('voice activity detector', () => {
  it('stays silent through silence and low line noise', () => {
    expect(run([...silenceFrames(400), ...noiseFrames(2000)])).toEqual([]);
  });

  it('starts speech after 40 ms of voice, with the pre-roll, and ends it after 500 ms of silence', () => {
    const quietBefore = noiseFrames(200);
    const speech = vowel(300);
    const frames = [...quietBefore, ...speech, ...noiseFrames(1000, 100, 11)];
    const events = run(frames);

    const [started, ...moreStarts] = ofType(events, 'speechStarted');
    expect(moreStarts).toEqual([]);
    expect(started?.index).toBe(10 + 1); // the second voiced frame
    // 100 ms of pre-roll (5 frames) and the 2 onset frames, in order.
    expect(started?.event.frames).toEqual([...quietBefore.slice(5), ...speech.slice(0, 2)]);

    const [ended, ...moreEnds] = ofType(events, 'speechEnded');
    expect(moreEnds).toEqual([]);
    expect(ended?.index).toBe(10 + 15 + 25 - 1); // the 25th quiet frame
    expect(ended?.event).toEqual({ type: 'speechEnded', reason: 'silence', speechMs: 300 });
    // Every frame from the onset to the end reaches the recognizer exactly once.
    const audio = ofType(events, 'audio').map((e) => e.event.frame);
    expect([...(started?.event.frames ?? []), ...audio]).toEqual(frames.slice(5, 10 + 15 + 25));
  });

  it('ignores a click shorter than the onset time', () => {
    expect(run([...silenceFrames(100), ...vowel(20), ...silenceFrames(100), ...vowel(20)])).toEqual([]);
  });

  it('keeps one utterance across a pause shorter than end-of-speech', () => {
    const events = run([...vowel(200), ...silenceFrames(300), ...vowel(200), ...silenceFrames(600)]);
    expect(ofType(events, 'speechStarted')).toHaveLength(1);
    expect(ofType(events, 'speechEnded').map((e) => e.event.speechMs)).toEqual([700]);
  });

  it('ends sooner with a lowered end-of-speech time and hears the next utterance', () => {
    const events = run([...vowel(100), ...silenceFrames(120), ...vowel(100), ...silenceFrames(120)], {
      endMs: 100,
    });
    expect(ofType(events, 'speechStarted')).toHaveLength(2);
    expect(ofType(events, 'speechEnded').map((e) => e.index)).toEqual([9, 20]);
  });

  it('cuts off speech that goes on too long', () => {
    const events = run(vowel(1000), { maxSpeechMs: 400 });
    expect(ofType(events, 'speechEnded').map((e) => e.event.reason)).toEqual([
      'max-duration',
      'max-duration',
    ]);
  });

  it('follows the threshold: quiet speech under it is not speech', () => {
    const quiet = toneFrames([500, 1500], 200, 400); // about −44 dBFS
    expect(run(quiet)).toEqual([]);
    expect(ofType(run(quiet, { thresholdDbfs: -50 }), 'speechStarted')).toHaveLength(1);
    expect(() => new VoiceActivityDetector({ endMs: 0 })).toThrow(RangeError);
  });

  it('hands the recognizer a whole machine-voice utterance, start marker included', () => {
    const frames = [
      ...noiseFrames(300),
      ...framesOf(encodeMachineVoice('hello there')),
      ...silenceFrames(600),
    ];
    const heard = run(frames).flatMap(({ event }) =>
      event.type === 'speechStarted' ? event.frames : event.type === 'audio' ? [event.frame] : [],
    );
    expect(decodeMachineVoice(Buffer.concat(heard))?.text).toBe('hello there');
  });
});
