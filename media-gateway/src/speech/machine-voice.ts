import { mulawToPcm, pcmToMulaw } from './mulaw.js';
import { FRAME_BYTES, SAMPLE_RATE } from './port.js';

/**
 * The "machine voice": a deterministic modem-style audio code (multi-frequency shift keying) that the caller
 * simulator speaks and the embedded recognizer decodes. No offline recognizer for human speech can run on the
 * embedded profile, so this lets whole spoken conversations run through the genuine audio path — μ-law,
 * 20 ms framing, voice activity, end-of-speech, barge-in — without pretending to recognise human speech.
 *
 * It is for SIMULATED callers only. A human caller on the embedded profile is heard through Twilio's own speech
 * gather, not through this code; to this decoder a human voice is noise and decodes to nothing.
 *
 * Layout: a start-marker frame, one frame per UTF-8 byte of the text, one frame with a CRC-8 of those bytes,
 * an end-marker frame. A byte frame is two 10 ms symbols (high nibble, low nibble), each a sine at one of 16
 * tones. Every tone is a multiple of 100 Hz, so each 80-sample symbol holds a whole number of cycles: the tones
 * are orthogonal over a symbol (no leakage between Goertzel bins) and the phase is continuous across symbols.
 * 600–2100 Hz for data and 2500/2900 Hz for the markers sit well inside the 300–3400 Hz telephone band.
 */

export const SYMBOL_MS = 10;
const SYMBOLS_PER_FRAME = 2;
export const DATA_TONES_HZ: readonly number[] = Array.from({ length: 16 }, (_, i) => 600 + 100 * i);
export const START_TONE_HZ = 2500;
export const END_TONE_HZ = 2900;
const TONES_HZ = [...DATA_TONES_HZ, START_TONE_HZ, END_TONE_HZ];
const START = 16;
const END = 17;
/** Peak amplitude: about −11 dBFS RMS, far above any speech-energy threshold and clear of μ-law clipping. */
const AMPLITUDE = 9000;
/** A clean symbol puts at least this share of its energy in the winning bin... */
const CLEAN_SHARE = 0.6;
/** ...and the runner-up has at most this share of the winner's. */
const CLEAN_RUNNER_UP = 0.25;
/** Below this RMS a symbol is silence, not a corrupted tone. */
const SILENT_RMS = 300;
/** This many silent frames inside an utterance mean the speaker was cut off. */
const SILENT_FRAMES_TO_GIVE_UP = 3;

/** CRC-8 (polynomial 0x07), so a decoded utterance can tell that a byte flipped. */
const crc8 = (bytes: Uint8Array): number => {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
};

/** The machine voice as 16-bit PCM at any sample rate (the OpenAI stand-in speaks it at 24 kHz). */
export const machineVoicePcm = (text: string, sampleRate: number = SAMPLE_RATE): Int16Array => {
  const bytes = new TextEncoder().encode(text);
  const symbols: number[] = [START, START];
  for (const byte of [...bytes, crc8(bytes)]) symbols.push(byte >> 4, byte & 0x0f);
  symbols.push(END, END);
  const perSymbol = Math.round((sampleRate * SYMBOL_MS) / 1000);
  const pcm = new Int16Array(symbols.length * perSymbol);
  symbols.forEach((symbol, s) => {
    const step = (2 * Math.PI * (TONES_HZ[symbol] ?? 0)) / sampleRate;
    for (let n = 0; n < perSymbol; n += 1)
      pcm[s * perSymbol + n] = Math.round(AMPLITUDE * Math.sin(step * n));
  });
  return pcm;
};

/** The text as machine voice: μ-law 8 kHz, a whole number of 20 ms frames. */
export const encodeMachineVoice = (text: string): Buffer => pcmToMulaw(machineVoicePcm(text));

interface SymbolReading {
  /** Index into TONES_HZ of the strongest bin; undefined for silence. */
  readonly tone: number | undefined;
  /** Strongest among the 16 data tones only, for reading a nibble even when a marker bin won. */
  readonly nibble: number;
  readonly clean: boolean;
}

const SYMBOL_SAMPLES = (SAMPLE_RATE * SYMBOL_MS) / 1000;
const COEFFICIENTS = TONES_HZ.map((hz) => 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE));

/** Goertzel power of every tone over one symbol, normalised so that a pure tone's power equals its energy. */
const analyse = (pcm: Int16Array, offset: number): SymbolReading => {
  let energy = 0;
  for (let n = offset; n < offset + SYMBOL_SAMPLES; n += 1) energy += (pcm[n] ?? 0) ** 2;
  if (Math.sqrt(energy / SYMBOL_SAMPLES) < SILENT_RMS) return { tone: undefined, nibble: 0, clean: false };
  const powers = COEFFICIENTS.map((coefficient) => {
    let s1 = 0;
    let s2 = 0;
    for (let n = offset; n < offset + SYMBOL_SAMPLES; n += 1) {
      const s0 = (pcm[n] ?? 0) + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return ((s1 * s1 + s2 * s2 - coefficient * s1 * s2) * 2) / SYMBOL_SAMPLES;
  });
  const ranked = powers.map((power, tone) => ({ power, tone })).sort((a, b) => b.power - a.power);
  const [best, second] = ranked;
  const nibble = ranked.find((r) => r.tone < 16)?.tone ?? 0;
  if (best === undefined || second === undefined) return { tone: undefined, nibble, clean: false };
  const clean = best.power >= CLEAN_SHARE * energy && second.power <= CLEAN_RUNNER_UP * best.power;
  return { tone: best.tone, nibble, clean };
};

const analyseFrame = (frame: Uint8Array): SymbolReading[] => {
  const pcm = mulawToPcm(frame);
  return Array.from({ length: SYMBOLS_PER_FRAME }, (_, i) => analyse(pcm, i * SYMBOL_SAMPLES));
};

/** True when a frame is machine voice: both of its symbols are clean machine-voice tones. */
export const isMachineVoiceFrame = (frame: Uint8Array): boolean =>
  frame.length === FRAME_BYTES && analyseFrame(frame).every((s) => s.tone !== undefined && s.clean);

export interface MachineVoiceUtterance {
  readonly text: string;
  /** 1 when every symbol was clean, the end marker came and the checksum matched; lower otherwise. */
  readonly confidence: number;
  /** The end marker was heard (false when the audio stopped mid-utterance). */
  readonly complete: boolean;
  readonly checksumOk: boolean;
  readonly ambiguousSymbols: number;
}

/**
 * Incremental decoder: push μ-law audio (any chunking; frames are counted from the first byte pushed, as Twilio
 * and the simulator send whole 20 ms frames), get each utterance when its end marker arrives. Audio before a
 * start marker — silence, line noise, a human voice — is ignored.
 */
export class MachineVoiceDecoder {
  #pending: Buffer = Buffer.alloc(0);
  #inUtterance = false;
  #bytes: number[] = [];
  #symbols = 0;
  #ambiguous = 0;
  #silentFrames = 0;

  /** Decodes what has arrived; returns the utterances completed by this audio (usually none or one). */
  push(audio: Uint8Array): MachineVoiceUtterance[] {
    this.#pending = Buffer.concat([this.#pending, audio]);
    const done: MachineVoiceUtterance[] = [];
    while (this.#pending.length >= FRAME_BYTES) {
      const utterance = this.#frame(this.#pending.subarray(0, FRAME_BYTES));
      this.#pending = this.#pending.subarray(FRAME_BYTES);
      if (utterance !== undefined) done.push(utterance);
    }
    return done;
  }

  /** The text decoded so far in the current utterance (for interim results). */
  get partialText(): string {
    return this.#inUtterance ? new TextDecoder().decode(Uint8Array.from(this.#bytes)) : '';
  }

  /** No more audio: the utterance in progress, if any, as an incomplete one. */
  flush(): MachineVoiceUtterance | undefined {
    this.#pending = Buffer.alloc(0);
    return this.#inUtterance ? this.#finish(false) : undefined;
  }

  #frame(frame: Uint8Array): MachineVoiceUtterance | undefined {
    const symbols = analyseFrame(frame);
    // Markers must be clean: noise or a voice whose strongest bin happens to be a marker tone opens nothing.
    const all = (tone: number) => symbols.every((s) => s.tone === tone && s.clean);
    if (all(START)) {
      // A start marker inside an utterance means the speaker started over: the earlier bytes are dropped.
      this.#inUtterance = true;
      this.#bytes = [];
      this.#symbols = 0;
      this.#ambiguous = 0;
      this.#silentFrames = 0;
      return undefined;
    }
    if (!this.#inUtterance) return undefined;
    if (all(END)) return this.#finish(true);
    if (symbols.every((s) => s.tone === undefined)) {
      this.#silentFrames += 1;
      return this.#silentFrames >= SILENT_FRAMES_TO_GIVE_UP ? this.#finish(false) : undefined;
    }
    this.#silentFrames = 0;
    const [high, low] = symbols;
    this.#bytes.push(((high?.nibble ?? 0) << 4) | (low?.nibble ?? 0));
    for (const symbol of symbols) {
      this.#symbols += 1;
      if (!symbol.clean || symbol.tone === undefined || symbol.tone >= 16) this.#ambiguous += 1;
    }
    return undefined;
  }

  #finish(complete: boolean): MachineVoiceUtterance {
    const payload = Uint8Array.from(this.#bytes.slice(0, -1));
    const checksumOk = complete && this.#bytes.length > 0 && crc8(payload) === this.#bytes.at(-1);
    // An incomplete utterance has no trustworthy checksum byte: keep every byte heard as text.
    const textBytes = complete ? payload : Uint8Array.from(this.#bytes);
    const clean = this.#symbols === 0 ? (complete ? 1 : 0) : 1 - this.#ambiguous / this.#symbols;
    const utterance: MachineVoiceUtterance = {
      text: new TextDecoder().decode(textBytes),
      confidence: clean * (complete ? 1 : 0.5) * (checksumOk ? 1 : 0.5),
      complete,
      checksumOk,
      ambiguousSymbols: this.#ambiguous,
    };
    this.#inUtterance = false;
    this.#bytes = [];
    this.#symbols = 0;
    this.#ambiguous = 0;
    this.#silentFrames = 0;
    return utterance;
  }
}

/** Decodes the first utterance in some audio, or what there was of it when it is cut off. */
export const decodeMachineVoice = (audio: Uint8Array): MachineVoiceUtterance | undefined => {
  const decoder = new MachineVoiceDecoder();
  return decoder.push(audio)[0] ?? decoder.flush();
};
