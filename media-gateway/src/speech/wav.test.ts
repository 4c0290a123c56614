import { describe, expect, it } from 'vitest';
import { parseWav, pcmToWav } from './wav.js';

describe('WAV', () => {
  it('writes the canonical 44-byte header for 16-bit mono PCM', () => {
    const wav = pcmToWav(Int16Array.from([0, 1, -1, 32767, -32768]), 8000);
    expect(wav.length).toBe(44 + 10);
    expect(wav.subarray(0, 44).toString('hex')).toBe(
      '52494646' +
        '2e000000' +
        '57415645' +
        '666d7420' +
        '10000000' +
        '0100' +
        '0100' +
        '401f0000' +
        '803e0000' +
        '0200' +
        '1000' +
        '64617461' +
        '0a000000',
    );
    expect(wav.subarray(44).toString('hex')).toBe('00000100ffffff7f0080');
  });

  it('reads back what it writes and rejects what is not WAV', () => {
    const samples = Int16Array.from({ length: 321 }, (_, i) => (i * 97) % 30000);
    expect(parseWav(pcmToWav(samples, 8000))).toEqual({
      format: 1,
      channels: 1,
      sampleRate: 8000,
      bitsPerSample: 16,
      samples,
    });
    expect(() => parseWav(Buffer.from('ID3 not a wav file'))).toThrow(/RIFF/);
  });
});
