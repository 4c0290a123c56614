import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMachineVoice } from './machine-voice.js';
import { toFrames } from './mulaw.js';
import {
  SpeechUnavailableError,
  type RecognitionOptions,
  type SpeechToText,
  type Transcript,
} from './port.js';
import { noiseFrames, silenceFrames, withNoise } from './testing/signals.js';

/** What a provider received for one utterance, as the stand-in saw it on the wire. */
export interface ReceivedAudio {
  readonly sampleRate: number;
  readonly samples: number;
}

export interface SttFixture {
  readonly stt: SpeechToText;
  /** The language the recognizer reports (what its stand-in was told to answer); undefined if none. */
  readonly expectedLanguage: string | undefined;
  /** Every utterance the provider received, in order; absent for an in-process recognizer. */
  received?(): readonly ReceivedAudio[];
  /** Takes the provider down (true) or back up (false); absent when there is no provider to fail. */
  setProviderDown?(down: boolean): void;
  close(): Promise<void>;
}

export interface SttCapabilities {
  /** Reports interim results while audio arrives. */
  readonly interim: boolean;
  /** There is a provider that can fail (the fixture's setProviderDown takes it down). */
  readonly providerCanFail: boolean;
}

const TEXT = 'I need to reschedule my appointment with Doctor Alvarez';
const OPTIONS: RecognitionOptions = { languages: ['en', 'es'], hints: ['Alvarez'] };

/**
 * An utterance as the gateway hands it over: the voice activity detector's pre-roll, the speech, the trailing
 * silence before end-of-speech, all over a line with a little noise. In every fixture the speech is machine
 * voice: the embedded recognizer decodes it, and the stand-ins recognise with the same decoder, so the
 * transcript comes from the audio that actually reached the provider.
 */
const utterance = (text: string, seed = 1) =>
  toFrames(
    withNoise(
      Buffer.concat([...silenceFrames(100), encodeMachineVoice(text), ...silenceFrames(200)]),
      60,
      seed,
    ),
  );

const recognize = async (
  stt: SpeechToText,
  frames: readonly Buffer[],
  onInterim?: (t: Transcript) => void,
) => {
  const session = stt.start(OPTIONS, onInterim);
  for (const frame of frames) session.write(frame);
  return session.finish();
};

/** The one contract every speech-to-text adapter honours. */
export const sttContract = (
  adapter: string,
  setup: () => Promise<SttFixture>,
  capabilities: SttCapabilities,
): void => {
  describe(`speech-to-text contract: ${adapter}`, () => {
    let fixture: SttFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(() => fixture.close());

    it('transcribes an utterance of known content from the audio it was given', async () => {
      const frames = utterance(TEXT);
      const before = fixture.received?.().length ?? 0;
      const transcript = await recognize(fixture.stt, frames);
      expect(transcript.text).toBe(TEXT);
      expect(transcript.isFinal).toBe(true);
      expect(transcript.confidence).toBeGreaterThan(0.5);
      expect(transcript.confidence).toBeLessThanOrEqual(1);
      expect(transcript.language).toBe(fixture.expectedLanguage);
      if (fixture.received !== undefined) {
        // All of it, once, as 8 kHz telephone audio: one sample per μ-law byte.
        expect(fixture.received().slice(before)).toEqual([
          { sampleRate: 8000, samples: frames.length * 160 },
        ]);
      }
    });

    it('keeps concurrent sessions apart', async () => {
      const [first, second] = await Promise.all([
        recognize(fixture.stt, utterance('yes please', 2)),
        recognize(fixture.stt, utterance('no thank you', 3)),
      ]);
      expect([first.text, second.text]).toEqual(['yes please', 'no thank you']);
    });

    // Registered only for adapters that can: no test stands skipped for the others.
    if (capabilities.interim)
      it('reports interim results before the final one', async () => {
        const interim: Transcript[] = [];
        const final = await recognize(fixture.stt, utterance(TEXT), (t) => interim.push(t));
        expect(interim.length).toBeGreaterThan(0);
        expect(interim.every((t) => !t.isFinal)).toBe(true);
        expect(TEXT.startsWith(interim[0]?.text ?? '-')).toBe(true);
        expect(final.isFinal).toBe(true);
      });

    it('gives an empty final transcript for no audio, without troubling the provider', async () => {
      const before = fixture.received?.().length ?? 0;
      const transcript = await recognize(fixture.stt, []);
      expect(transcript).toMatchObject({ text: '', isFinal: true });
      expect(fixture.received?.().length ?? 0).toBe(before);
    });

    it('gives an empty transcript for silence and line noise', async () => {
      const transcript = await recognize(fixture.stt, [...silenceFrames(200), ...noiseFrames(400)]);
      expect(transcript).toMatchObject({ text: '', isFinal: true });
    });

    it('aborts without throwing; finish after abort resolves empty', async () => {
      const session = fixture.stt.start(OPTIONS);
      for (const frame of utterance(TEXT).slice(0, 10)) session.write(frame);
      expect(() => session.abort()).not.toThrow();
      expect(() => session.abort()).not.toThrow();
      session.write(utterance('late')[0] ?? Buffer.alloc(0));
      await expect(session.finish()).resolves.toMatchObject({ text: '', isFinal: true });

      // Aborted while the provider is working on it: the pending finish settles without an error.
      const racing = fixture.stt.start(OPTIONS);
      for (const frame of utterance(TEXT)) racing.write(frame);
      const pending = racing.finish();
      racing.abort();
      await expect(pending).resolves.toMatchObject({ isFinal: true });
    });

    // Registered only for adapters that can: no test stands skipped for the others.
    if (capabilities.providerCanFail)
      it('turns a provider failure into SpeechUnavailableError', async () => {
        fixture.setProviderDown?.(true);
        const failed = recognize(fixture.stt, utterance('hello'));
        await expect(failed).rejects.toBeInstanceOf(SpeechUnavailableError);
        await expect(failed).rejects.toMatchObject({ provider: fixture.stt.name });
        fixture.setProviderDown?.(false);
        // And the next utterance goes through again.
        expect((await recognize(fixture.stt, utterance('hello again'))).text).toBe('hello again');
      });
  });
};
