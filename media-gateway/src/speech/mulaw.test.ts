import { describe, expect, it } from 'vitest';
import {
  decodeSample,
  encodeSample,
  levelDbfs,
  mulawToPcm,
  padToFrames,
  pcmToMulaw,
  resample,
  silenceFrame,
  toFrames,
} from './mulaw.js';

const sine = (frequency: number, rate: number, samples: number, amplitude = 10_000) =>
  Int16Array.from({ length: samples }, (_, n) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * frequency * n) / rate)),
  );

/** Amplitude of one frequency in a signal, by correlation with a sine and a cosine. */
const amplitudeAt = (pcm: Int16Array, frequency: number, rate: number) => {
  let re = 0;
  let im = 0;
  pcm.forEach((s, n) => {
    re += s * Math.cos((2 * Math.PI * frequency * n) / rate);
    im += s * Math.sin((2 * Math.PI * frequency * n) / rate);
  });
  return (2 * Math.hypot(re, im)) / pcm.length;
};

describe('G.711 μ-law', () => {
  it('encodes the known reference values', () => {
    expect(encodeSample(0)).toBe(0xff);
    expect(encodeSample(-1)).toBe(0x7f);
    expect(encodeSample(32767)).toBe(0x80);
    expect(encodeSample(-32768)).toBe(0x00);
    expect(decodeSample(0xff)).toBe(0);
    expect(decodeSample(0x7f)).toBe(0);
    expect(decodeSample(0x80)).toBe(32124);
    expect(decodeSample(0x00)).toBe(-32124);
  });

  it('decodes the first step of each segment to the standard table', () => {
    // Mantissa 0 of segments 0..7: 132·2^segment − 132.
    const firstOfSegment = [0, 132, 396, 924, 1980, 4092, 8316, 16764];
    firstOfSegment.forEach((value, segment) => {
      expect(decodeSample(~(segment << 4) & 0xff)).toBe(value);
      expect(decodeSample(~(0x80 | (segment << 4)) & 0xff)).toBe(0 - value);
    });
    // Steps inside a segment are 2^(segment+3): segment 0 steps by 8, segment 7 by 1024.
    expect(decodeSample(0xfe) - decodeSample(0xff)).toBe(8);
    expect(decodeSample(0x80) - decodeSample(0x81)).toBe(1024);
  });

  it('round-trips every 16-bit sample within half a quantisation step', () => {
    for (let x = -32768; x <= 32767; x += 1) {
      const byte = encodeSample(x);
      const error = Math.abs(decodeSample(byte) - x);
      const segment = (~byte & 0x70) >> 4;
      if (Math.abs(x) <= 32635) expect(error).toBeLessThanOrEqual(1 << (segment + 2));
      else expect(error).toBeLessThanOrEqual(32768 - 32124);
    }
  });

  it('maps every byte back to itself, except negative zero', () => {
    for (let byte = 0; byte < 256; byte += 1) {
      expect(encodeSample(decodeSample(byte))).toBe(byte === 0x7f ? 0xff : byte);
    }
  });

  it('converts buffers both ways with a speech-grade signal-to-noise ratio', () => {
    const pcm = sine(1000, 8000, 800);
    const back = mulawToPcm(pcmToMulaw(pcm));
    let signal = 0;
    let noise = 0;
    pcm.forEach((s, i) => {
      signal += s * s;
      noise += (s - (back[i] ?? 0)) ** 2;
    });
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(30);
  });
});

describe('framing', () => {
  it('makes a 20 ms silence frame of 0xFF', () => {
    const frame = silenceFrame();
    expect(frame.length).toBe(160);
    expect(frame.every((b) => b === 0xff)).toBe(true);
    expect(levelDbfs(frame)).toBe(-Infinity);
  });

  it('splits into 160-byte frames and pads the last with silence', () => {
    const audio = Buffer.alloc(400, 0x10);
    const frames = toFrames(audio);
    expect(frames.map((f) => f.length)).toEqual([160, 160, 160]);
    expect(frames[2]?.subarray(0, 80).every((b) => b === 0x10)).toBe(true);
    expect(frames[2]?.subarray(80).every((b) => b === 0xff)).toBe(true);
    expect(toFrames(Buffer.alloc(0))).toEqual([]);
    expect(padToFrames(audio).length).toBe(480);
  });

  it('measures level in dBFS', () => {
    expect(levelDbfs(pcmToMulaw(sine(1000, 8000, 160, 16384)))).toBeCloseTo(-9, 0);
  });
});

describe('resample', () => {
  it('turns 24 kHz into 8 kHz keeping an in-band tone', () => {
    const out = resample(sine(1000, 24_000, 2400), 24_000, 8000);
    expect(out.length).toBe(800);
    expect(amplitudeAt(out, 1000, 8000)).toBeGreaterThan(9000);
    expect(amplitudeAt(out, 1500, 8000)).toBeLessThan(300);
  });

  it('attenuates a tone above the new Nyquist frequency instead of folding it back at full level', () => {
    // 7 kHz at 24 kHz folds to 1 kHz at 8 kHz; the box filter takes most of it away.
    const out = resample(sine(7000, 24_000, 2400), 24_000, 8000);
    expect(amplitudeAt(out, 1000, 8000)).toBeLessThan(4000);
  });

  it('upsamples by interpolation and copies at equal rates', () => {
    const input = Int16Array.from([0, 100, 200, 300]);
    expect(Array.from(resample(input, 8000, 16_000))).toEqual([0, 50, 100, 150, 200, 250, 300, 300]);
    const same = resample(input, 8000, 8000);
    expect(Array.from(same)).toEqual([0, 100, 200, 300]);
    expect(same).not.toBe(input);
    expect(() => resample(input, 0, 8000)).toThrow(RangeError);
  });
});
