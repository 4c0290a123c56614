import { mulawToPcm, pcmToMulaw, silenceFrame, toFrames } from '../mulaw.js';
import { FRAME_BYTES, SAMPLE_RATE } from '../port.js';

/** Test signals. Noise is seeded, so a failing test fails the same way every run. */

/** mulberry32: a small seeded PRNG. */
export const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Gaussian noise with the given RMS, as 16-bit samples. */
export const gaussianNoise = (samples: number, rms: number, seed = 1): Int16Array => {
  const random = seededRandom(seed);
  return Int16Array.from({ length: samples }, () => {
    const u = Math.max(random(), 1e-12);
    return Math.round(rms * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()));
  });
};

/** Adds noise of the given RMS to μ-law audio, re-quantising to μ-law as a phone line would. */
export const withNoise = (mulaw: Uint8Array, rms: number, seed = 1): Buffer => {
  const pcm = mulawToPcm(mulaw);
  const noise = gaussianNoise(pcm.length, rms, seed);
  return pcmToMulaw(pcm.map((s, i) => Math.max(-32768, Math.min(32767, s + (noise[i] ?? 0)))));
};

/** A sum of sines (a crude vowel when given a few formant-like frequencies), μ-law, in whole frames. */
export const toneFrames = (frequencies: readonly number[], ms: number, amplitude = 6000): Buffer[] => {
  const samples = (SAMPLE_RATE * ms) / 1000;
  const pcm = Int16Array.from({ length: samples }, (_, n) =>
    Math.round(
      frequencies.reduce((sum, hz) => sum + amplitude * Math.sin((2 * Math.PI * hz * n) / SAMPLE_RATE), 0) /
        frequencies.length,
    ),
  );
  return toFrames(pcmToMulaw(pcm));
};

export const silenceFrames = (ms: number): Buffer[] => Array.from({ length: ms / 20 }, () => silenceFrame());

/** Low-level line noise frames (default about −50 dBFS). */
export const noiseFrames = (ms: number, rms = 100, seed = 7): Buffer[] =>
  toFrames(pcmToMulaw(gaussianNoise((SAMPLE_RATE * ms) / 1000, rms, seed)));

export const framesOf = (audio: Uint8Array): Buffer[] => {
  if (audio.length % FRAME_BYTES !== 0) throw new Error(`not whole frames: ${audio.length} bytes`);
  return toFrames(audio);
};
