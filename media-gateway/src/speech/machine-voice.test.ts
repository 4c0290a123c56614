import { describe, expect, it } from 'vitest';
import {
  DATA_TONES_HZ,
  END_TONE_HZ,
  MachineVoiceDecoder,
  START_TONE_HZ,
  decodeMachineVoice,
  encodeMachineVoice,
  isMachineVoiceFrame,
  machineVoicePcm,
} from './machine-voice.js';
import { pcmToMulaw, resample, toFrames } from './mulaw.js';
import { gaussianNoise, noiseFrames, silenceFrames, toneFrames, withNoise } from './testing/signals.js';

const TEXT = 'I would like to book an appointment for Tuesday at 3 pm.';

describe('machine voice', () => {
  it('keeps its tones apart inside the telephone band', () => {
    const tones = [...DATA_TONES_HZ, START_TONE_HZ, END_TONE_HZ];
    expect(new Set(tones).size).toBe(18);
    for (const hz of tones) {
      expect(hz).toBeGreaterThanOrEqual(500);
      expect(hz).toBeLessThanOrEqual(3000);
      expect(hz % 100).toBe(0); // whole cycles per 10 ms symbol: orthogonal Goertzel bins
    }
  });

  it('encodes one frame per byte plus start, checksum and end frames, deterministically', () => {
    const audio = encodeMachineVoice('hello');
    expect(audio.length).toBe((5 + 3) * 160);
    expect(encodeMachineVoice('hello').equals(audio)).toBe(true);
    expect(encodeMachineVoice('héllo').length).toBe((6 + 3) * 160); // UTF-8 bytes, not characters
  });

  it('round-trips text, including non-ASCII, through μ-law', () => {
    for (const text of [TEXT, '¿Dónde está mi pedido? Größe 日本', '']) {
      expect(decodeMachineVoice(encodeMachineVoice(text))).toEqual({
        text,
        confidence: 1,
        complete: true,
        checksumOk: true,
        ambiguousSymbols: 0,
      });
    }
  });

  it('survives additive line noise at −30 dBFS', () => {
    const noisy = withNoise(encodeMachineVoice(TEXT), 1000, 3);
    expect(noisy.equals(encodeMachineVoice(TEXT))).toBe(false);
    const decoded = decodeMachineVoice(noisy);
    expect(decoded?.text).toBe(TEXT);
    expect(decoded?.confidence).toBe(1);
  });

  it('finds the utterance among silence and noise, in any chunking, and finds the next one too', () => {
    const audio = Buffer.concat([
      ...noiseFrames(200),
      encodeMachineVoice('first'),
      ...silenceFrames(100),
      ...noiseFrames(60, 150, 9),
      encodeMachineVoice('second'),
      ...silenceFrames(40),
    ]);
    const decoder = new MachineVoiceDecoder();
    const texts: string[] = [];
    for (let offset = 0; offset < audio.length; offset += 7) {
      texts.push(...decoder.push(audio.subarray(offset, offset + 7)).map((u) => u.text));
    }
    expect(texts).toEqual(['first', 'second']);
    expect(decoder.flush()).toBeUndefined();
  });

  it('reports interim text while the utterance arrives', () => {
    const frames = toFrames(encodeMachineVoice('yes please'));
    const decoder = new MachineVoiceDecoder();
    for (const frame of frames.slice(0, 4)) decoder.push(frame);
    expect(decoder.partialText).toBe('yes');
  });

  it('lowers confidence when a symbol is ambiguous and the checksum catches it', () => {
    const frames = toFrames(encodeMachineVoice(TEXT));
    // Replace one byte frame with two tones at once: no single nibble wins cleanly.
    frames[5] = toneFrames([DATA_TONES_HZ[2] ?? 0, DATA_TONES_HZ[9] ?? 0], 20, 12_000)[0] ?? frames[5]!;
    const decoded = decodeMachineVoice(Buffer.concat(frames));
    expect(decoded?.complete).toBe(true);
    expect(decoded?.ambiguousSymbols).toBeGreaterThan(0);
    expect(decoded?.confidence).toBeLessThan(1);
    expect(decoded?.confidence).toBeGreaterThan(0);
  });

  it('returns a cut-off utterance as incomplete with at most half confidence', () => {
    const frames = toFrames(encodeMachineVoice('cancel my order'));
    const decoder = new MachineVoiceDecoder();
    for (const frame of frames.slice(0, 7)) decoder.push(frame);
    const partial = decoder.flush();
    expect(partial?.text).toBe('cancel');
    expect(partial?.complete).toBe(false);
    expect(partial?.confidence).toBeLessThanOrEqual(0.5);
    // Silence in the middle also ends it: the speaker was cut off.
    const cut = decodeMachineVoice(Buffer.concat([...frames.slice(0, 7), ...silenceFrames(100)]));
    expect(cut?.complete).toBe(false);
  });

  it('hears nothing in silence, noise or speech-like sound', () => {
    const other = Buffer.concat([
      ...silenceFrames(200),
      ...noiseFrames(400, 3000),
      ...toneFrames([220, 710, 1100, 2450], 400, 9000),
    ]);
    expect(decodeMachineVoice(other)).toBeUndefined();
    expect(toFrames(other).some((frame) => isMachineVoiceFrame(frame))).toBe(false);
  });

  it('recognises its own frames', () => {
    expect(toFrames(encodeMachineVoice('ok')).every((frame) => isMachineVoiceFrame(frame))).toBe(true);
    expect(isMachineVoiceFrame(Buffer.alloc(80))).toBe(false);
  });

  it('is spoken at other sample rates and still decodes after resampling to 8 kHz', () => {
    const pcm24k = machineVoicePcm(TEXT, 24_000);
    const noise = gaussianNoise(pcm24k.length, 300, 5);
    const noisy = pcm24k.map((s, i) => s + (noise[i] ?? 0));
    expect(decodeMachineVoice(pcmToMulaw(resample(noisy, 24_000, 8000)))?.text).toBe(TEXT);
  });
});
