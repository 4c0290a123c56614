import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentVoice } from '@ccp/schemas';
import { FRAME_BYTES, SpeechUnavailableError, type TextToSpeech } from './port.js';
import { VoiceActivityDetector } from './voice-activity.js';
import { toFrames } from './mulaw.js';

export interface TtsFixture {
  readonly tts: TextToSpeech;
  /**
   * What a listener hears in the synthesized audio. Every fixture's voice is machine voice (the stand-ins speak
   * it), so the suite can check that the words survive the adapter's audio path.
   */
  hear(audio: Buffer): string | undefined;
  /** Takes the provider down (true) or back up (false); absent when there is no provider to fail. */
  setProviderDown?(down: boolean): void;
  close(): Promise<void>;
}

export interface TtsCapabilities {
  readonly providerCanFail: boolean;
}

const TEXT = 'Your appointment is confirmed for Tuesday at three.';

/** The one contract every text-to-speech adapter honours. */
export const ttsContract = (
  adapter: string,
  setup: () => Promise<TtsFixture>,
  capabilities: TtsCapabilities,
): void => {
  describe(`text-to-speech contract: ${adapter}`, () => {
    let fixture: TtsFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(() => fixture.close());

    it('returns whole 160-byte μ-law frames that say the text', async () => {
      const audio = await fixture.tts.synthesize(TEXT, { voice: 'Puck', language: 'en' });
      expect(audio.length).toBeGreaterThan(0);
      expect(audio.length % FRAME_BYTES).toBe(0);
      expect(fixture.hear(audio)).toBe(TEXT);
    });

    it('is loud enough for the gateway to hear it as speech', async () => {
      const audio = await fixture.tts.synthesize('Hello, how can I help?', { voice: 'Kore', language: 'en' });
      const vad = new VoiceActivityDetector();
      const events = toFrames(audio).flatMap((frame) => vad.push(frame));
      expect(events.some((e) => e.type === 'speechStarted')).toBe(true);
    });

    it('speaks with every agent voice', async () => {
      for (const voice of AgentVoice.options) {
        const audio = await fixture.tts.synthesize('One moment please.', { voice, language: 'en' });
        expect(fixture.hear(audio)).toBe('One moment please.');
      }
    });

    it('returns no audio for empty text', async () => {
      expect((await fixture.tts.synthesize('', { voice: 'Puck', language: 'en' })).length).toBe(0);
    });

    // Registered only for adapters that can: no test stands skipped for the others.
    if (capabilities.providerCanFail)
      it('turns a provider failure into SpeechUnavailableError', async () => {
        fixture.setProviderDown?.(true);
        const failed = fixture.tts.synthesize(TEXT, { voice: 'Puck', language: 'en' });
        await expect(failed).rejects.toBeInstanceOf(SpeechUnavailableError);
        await expect(failed).rejects.toMatchObject({ provider: fixture.tts.name });
        fixture.setProviderDown?.(false);
        expect(fixture.hear(await fixture.tts.synthesize('ok', { voice: 'Puck', language: 'en' }))).toBe(
          'ok',
        );
      });
  });
};
