import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMachineVoice, machineVoicePcm } from '../../machine-voice.js';
import { pcmToMulaw } from '../../mulaw.js';
import { parseWav, type WavAudio } from '../../wav.js';

/**
 * A local stand-in for OpenAI's audio API on 127.0.0.1, speaking its documented wire format (OpenAI itself is
 * unreachable from the tests):
 * - POST /v1/audio/transcriptions, multipart/form-data with a `file` and the form fields, answering
 *   verbose_json like Whisper. Its "recognizer" is the machine-voice decoder, so what it answers depends on the
 *   audio it actually received: an adapter that mangles the audio gets a wrong transcript.
 * - POST /v1/audio/speech, JSON, answering raw 24 kHz 16-bit little-endian mono PCM (`response_format: pcm`).
 *   It speaks the input as machine voice, so a test can hear what the adapter made of the audio.
 * Every request is recorded for the tests to inspect.
 */

export interface TranscriptionRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly fields: Readonly<Record<string, string>>;
  readonly fileName: string;
  readonly fileType: string;
  readonly wav: WavAudio;
}

export interface SpeechRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface OpenAiAudioStandIn {
  /** The base URL to give the OpenAI client. */
  readonly url: string;
  readonly transcriptions: TranscriptionRequest[];
  readonly speech: SpeechRequest[];
  /** What Whisper reports as the language of the next transcriptions (a language name, as Whisper does). */
  language: string;
  /** The segments' avg_logprob; undefined sends no segments at all. */
  avgLogprob: number | undefined;
  /** While set, every request fails with this HTTP status and an OpenAI error body (a provider outage). */
  failing: number | undefined;
  close(): Promise<void>;
}

const SPEECH_RATE = 24_000;

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

const sendError = (res: ServerResponse, status: number, message: string) =>
  sendJson(res, status, { error: { message, type: 'invalid_request_error', param: null, code: null } });

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** The multipart body parsed by undici's own form-data parser (Node's fetch Request). */
const parseMultipart = async (req: IncomingMessage, body: Buffer): Promise<FormData> => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: 'POST', headers, body }).formData();
};

export const startOpenAiAudioStandIn = async (): Promise<OpenAiAudioStandIn> => {
  const transcribe = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const form = await parseMultipart(req, body);
    const file = form.get('file');
    if (file === null || typeof file === 'string') return sendError(res, 400, 'file is required');
    const fields: Record<string, string> = {};
    form.forEach((value, key) => {
      if (typeof value === 'string') fields[key] = value;
    });
    if (fields.model === undefined) return sendError(res, 400, 'model is required');
    let wav: WavAudio;
    try {
      wav = parseWav(new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      return sendError(res, 400, `Invalid file format: ${String(error)}`);
    }
    standIn.transcriptions.push({
      path: req.url ?? '',
      authorization: req.headers.authorization,
      fields,
      fileName: file.name,
      fileType: file.type,
      wav,
    });
    if (wav.format !== 1 || wav.bitsPerSample !== 16 || wav.channels !== 1) {
      return sendError(res, 400, 'Invalid file format: expected 16-bit mono PCM');
    }
    // The stand-in's recognizer works on telephone audio, as the adapter's upload is meant to be.
    const text = wav.sampleRate === 8000 ? (decodeMachineVoice(pcmToMulaw(wav.samples))?.text ?? '') : '';
    const duration = wav.samples.length / wav.sampleRate;
    if (fields.response_format !== 'verbose_json') return sendJson(res, 200, { text });
    sendJson(res, 200, {
      task: 'transcribe',
      language: standIn.language,
      duration,
      text,
      ...(standIn.avgLogprob !== undefined && {
        segments:
          text === ''
            ? []
            : [
                {
                  id: 0,
                  seek: 0,
                  start: 0,
                  end: duration,
                  text,
                  tokens: [],
                  temperature: 0,
                  avg_logprob: standIn.avgLogprob,
                  compression_ratio: 1,
                  no_speech_prob: 0.01,
                },
              ],
      }),
    });
  };

  const speak = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    standIn.speech.push({ path: req.url ?? '', authorization: req.headers.authorization, body: request });
    if (
      typeof request.input !== 'string' ||
      typeof request.model !== 'string' ||
      request.voice === undefined
    ) {
      return sendError(res, 400, 'model, input and voice are required');
    }
    if (request.response_format !== 'pcm') return sendError(res, 400, 'this stand-in only speaks pcm');
    const pcm = machineVoicePcm(request.input, SPEECH_RATE);
    const out = Buffer.alloc(pcm.length * 2);
    pcm.forEach((sample, i) => out.writeInt16LE(sample, i * 2));
    res.setHeader('content-type', 'application/octet-stream');
    res.end(out);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (standIn.failing !== undefined) {
        return sendJson(res, standIn.failing, {
          error: { message: 'stand-in outage', type: 'server_error' },
        });
      }
      if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') return transcribe(req, res, body);
      if (req.method === 'POST' && req.url === '/v1/audio/speech') return speak(req, res, body);
      sendError(res, 404, `no route for ${req.method} ${req.url}`);
    })().catch((error: unknown) => sendError(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const standIn: OpenAiAudioStandIn = {
    url: `http://127.0.0.1:${port}/v1`,
    transcriptions: [],
    speech: [],
    language: 'english',
    avgLogprob: -0.1,
    failing: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return standIn;
};
