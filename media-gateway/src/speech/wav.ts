/**
 * The canonical 44-byte RIFF/WAVE header around 16-bit little-endian PCM: what the Whisper upload carries
 * (μ-law is decoded first; a WAV of linear PCM is the format every speech API accepts).
 */

const HEADER_BYTES = 44;

export const pcmToWav = (pcm: Int16Array, sampleRate: number): Buffer => {
  const dataBytes = pcm.length * 2;
  const wav = Buffer.alloc(HEADER_BYTES + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < pcm.length; i += 1) wav.writeInt16LE(pcm[i] ?? 0, HEADER_BYTES + i * 2);
  return wav;
};

export interface WavAudio {
  readonly format: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** Only for 16-bit PCM; empty otherwise. */
  readonly samples: Int16Array;
}

/** Reads a RIFF/WAVE file chunk by chunk (not assuming the 44-byte layout); throws on anything else. */
export const parseWav = (wav: Uint8Array): WavAudio => {
  const buf = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let fmt: Omit<WavAudio, 'samples'> | undefined;
  for (let offset = 12; offset + 8 <= buf.length;) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = buf.subarray(offset + 8, offset + 8 + size);
    if (id === 'fmt ' && body.length >= 16) {
      fmt = {
        format: body.readUInt16LE(0),
        channels: body.readUInt16LE(2),
        sampleRate: body.readUInt32LE(4),
        bitsPerSample: body.readUInt16LE(14),
      };
    } else if (id === 'data') {
      if (fmt === undefined) throw new Error('WAV data chunk before fmt chunk');
      const pcm16 = fmt.format === 1 && fmt.bitsPerSample === 16;
      const samples = new Int16Array(pcm16 ? Math.floor(body.length / 2) : 0);
      for (let i = 0; i < samples.length; i += 1) samples[i] = body.readInt16LE(i * 2);
      return { ...fmt, samples };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('WAV without a data chunk');
};
