import { FRAME_BYTES } from './port.js';

/**
 * G.711 μ-law, the codec Twilio Media Streams carries: 8 kHz, one byte per sample. This is the classic
 * bias-and-segment formulation (ITU-T G.711, as in Sun's reference g711.c) on 16-bit linear PCM.
 */

const BIAS = 0x84;
const CLIP = 32635;

/** The segment (exponent) of a biased magnitude: the position of its highest set bit above bit 7. */
const segmentOf = (biased: number): number => {
  let segment = 7;
  for (let mask = 0x4000; (biased & mask) === 0 && segment > 0; mask >>= 1) segment -= 1;
  return segment;
};

/** One signed 16-bit sample to its μ-law byte. */
export const encodeSample = (sample: number): number => {
  const clamped = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = clamped < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(clamped), CLIP) + BIAS;
  const segment = segmentOf(magnitude);
  const mantissa = (magnitude >> (segment + 3)) & 0x0f;
  return ~(sign | (segment << 4) | mantissa) & 0xff;
};

/** One μ-law byte to its signed 16-bit sample (the middle of the byte's quantisation interval). */
export const decodeSample = (byte: number): number => {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4)) - BIAS;
  // `0 - magnitude`, not `-magnitude`: negative zero (byte 0x7F) must be a plain 0 sample.
  return (u & 0x80) !== 0 ? 0 - magnitude : magnitude;
};

// Decoding is on the hot path (voice activity and recognition look at every frame): a 256-entry table.
const DECODE_TABLE = Int16Array.from({ length: 256 }, (_, byte) => decodeSample(byte));

export const mulawToPcm = (mulaw: Uint8Array): Int16Array => {
  const pcm = new Int16Array(mulaw.length);
  for (let i = 0; i < mulaw.length; i += 1) pcm[i] = DECODE_TABLE[mulaw[i] ?? 0xff] ?? 0;
  return pcm;
};

export const pcmToMulaw = (pcm: ArrayLike<number>): Buffer => {
  const mulaw = Buffer.alloc(pcm.length);
  for (let i = 0; i < pcm.length; i += 1) mulaw[i] = encodeSample(pcm[i] ?? 0);
  return mulaw;
};

/** 20 ms of digital silence: μ-law 0xFF is linear 0. */
export const silenceFrame = (): Buffer => Buffer.alloc(FRAME_BYTES, 0xff);

/** Splits μ-law audio into 160-byte frames, padding the last one with silence. */
export const toFrames = (audio: Uint8Array): Buffer[] => {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
    const frame = silenceFrame();
    frame.set(audio.subarray(offset, Math.min(offset + FRAME_BYTES, audio.length)));
    frames.push(frame);
  }
  return frames;
};

/** Pads μ-law audio with silence to a whole number of frames. */
export const padToFrames = (audio: Uint8Array): Buffer => Buffer.concat(toFrames(audio));

/**
 * Resamples by linear interpolation. When downsampling, each output sample first averages the input samples
 * it stands for (a box low-pass), so that 24 kHz speech above 4 kHz folds back less into the telephone band.
 */
export const resample = (pcm: Int16Array, fromRate: number, toRate: number): Int16Array => {
  if (!(fromRate > 0 && toRate > 0))
    throw new RangeError(`resample: rates must be positive (${fromRate}, ${toRate})`);
  if (fromRate === toRate || pcm.length === 0) return Int16Array.from(pcm);
  const ratio = fromRate / toRate;
  const source = ratio > 1 ? boxFilter(pcm, Math.round(ratio)) : Float64Array.from(pcm);
  const length = Math.floor((pcm.length * toRate) / fromRate);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i += 1) {
    const position = i * ratio;
    const left = Math.floor(position);
    const fraction = position - left;
    const a = source[left] ?? 0;
    const b = source[left + 1] ?? a;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(a + (b - a) * fraction)));
  }
  return out;
};

/** Centred moving average of `width` samples (width 1 is the identity). */
const boxFilter = (pcm: Int16Array, width: number): Float64Array => {
  const out = new Float64Array(pcm.length);
  if (width <= 1) {
    out.set(pcm);
    return out;
  }
  const before = Math.floor((width - 1) / 2);
  for (let i = 0; i < pcm.length; i += 1) {
    let sum = 0;
    let count = 0;
    for (let j = i - before; j < i - before + width; j += 1) {
      if (j >= 0 && j < pcm.length) {
        sum += pcm[j] ?? 0;
        count += 1;
      }
    }
    out[i] = sum / count;
  }
  return out;
};

/** Root-mean-square level of μ-law audio in dBFS (-Infinity for digital silence). */
export const levelDbfs = (mulaw: Uint8Array): number => {
  if (mulaw.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < mulaw.length; i += 1) {
    const s = DECODE_TABLE[mulaw[i] ?? 0xff] ?? 0;
    sum += s * s;
  }
  const rms = Math.sqrt(sum / mulaw.length);
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
};
