import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/**
 * The HTTP side of Twilio's webhooks: form-encoded requests signed with X-Twilio-Signature (HMAC-SHA1 of the
 * full URL plus the sorted parameters, keyed by the account's auth token — computed by the twilio library
 * itself, so the signature is exactly Twilio's), and the parameter sets Twilio documents for voice, Gather,
 * status and recording callbacks.
 */

/** A Twilio SID: two letters then 32 lowercase hex digits (CA call, AC account, MZ stream, RE recording...). */
export const twilioSid = (prefix: 'CA' | 'AC' | 'MZ' | 'RE' | 'QU' | 'CF' | 'TR' | 'SM'): string =>
  `${prefix}${randomBytes(16).toString('hex')}`;

/** `valid` signs as Twilio does; `none` omits the header; `forged` signs with a wrong token. */
export type SignatureMode = 'valid' | 'none' | 'forged';

export interface HttpExchange {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  readonly signature?: string;
  /** 0 when no answer came (connection refused, timeout). */
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Why there was no answer. */
  readonly error?: string;
  readonly startedAt: number;
  readonly durationMs: number;
}

export interface SignedRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly params: Readonly<Record<string, string>>;
  readonly authToken: string;
  readonly signature?: SignatureMode;
  /** Twilio gives up on a webhook after 15 s. */
  readonly timeoutMs?: number;
}

export const signatureFor = (
  mode: SignatureMode,
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>>,
): string | undefined => {
  if (mode === 'none') return undefined;
  const token = mode === 'forged' ? `${authToken}-forged` : authToken;
  return twilio.getExpectedTwilioSignature(token, url, { ...params });
};

/**
 * Sends one webhook the way Twilio does. For GET the parameters travel in the query string and the signature
 * covers that URL with no body parameters; for POST it covers the URL plus the form parameters.
 */
export const sendSignedRequest = async (request: SignedRequest): Promise<HttpExchange> => {
  const method = request.method ?? 'POST';
  const form = new URLSearchParams(request.params).toString();
  let url = request.url;
  if (method === 'GET' && form !== '') url += (url.includes('?') ? '&' : '?') + form;
  const signed: Record<string, string> = method === 'GET' ? {} : { ...request.params };
  const signature = signatureFor(request.signature ?? 'valid', request.authToken, url, signed);
  const startedAt = Date.now();
  const base = { method, url, params: request.params, signature, startedAt };
  try {
    const response = await fetch(url, {
      method,
      headers: {
        accept: '*/*',
        'user-agent': 'TwilioProxy/1.1',
        'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
        ...(method === 'POST' && { 'content-type': 'application/x-www-form-urlencoded' }),
        ...(signature !== undefined && { 'x-twilio-signature': signature }),
      },
      ...(method === 'POST' && { body: form }),
      signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
    });
    const body = await response.text();
    return {
      ...base,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body,
      durationMs: Date.now() - startedAt,
    };
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    return {
      ...base,
      status: 0,
      contentType: '',
      body: '',
      error: reason,
      durationMs: Date.now() - startedAt,
    };
  }
};

export type CallStatus =
  | 'queued'
  | 'initiated'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'no-answer'
  | 'failed'
  | 'canceled';

/** Who a call is between, as Twilio describes it on every request about the call. */
export interface CallParties {
  readonly callSid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  /** Caller ID as presented; defaults to `from`. */
  readonly caller?: string;
  readonly direction: 'inbound' | 'outbound-api';
  /**
   * The demo clock: the call is placed "as if" at this instant (ISO 8601). Sent signed with every webhook as
   * `DemoAt`, which is not a Twilio parameter: only a platform with DEMO_CLOCK=true reads it, from /voice.
   */
  readonly demoAt?: string;
}

export const voiceParams = (call: CallParties, status: CallStatus): Record<string, string> => ({
  AccountSid: call.accountSid,
  ApiVersion: '2010-04-01',
  CallSid: call.callSid,
  CallStatus: status,
  Called: call.to,
  Caller: call.caller ?? call.from,
  Direction: call.direction,
  From: call.from,
  To: call.to,
  ...(call.demoAt !== undefined && { DemoAt: call.demoAt }),
});

export type GatherResult =
  | { readonly kind: 'speech'; readonly text: string; readonly confidence: number }
  | { readonly kind: 'dtmf'; readonly digits: string }
  | { readonly kind: 'empty' };

export const gatherParams = (result: GatherResult): Record<string, string> => {
  switch (result.kind) {
    case 'speech':
      return { SpeechResult: result.text, Confidence: String(result.confidence) };
    case 'dtmf':
      return { Digits: result.digits, FinishedOnKey: '' };
    case 'empty':
      return {};
  }
};

/** Twilio's status callback Timestamp: RFC 2822 in UTC. */
export const rfc2822 = (date: Date): string => date.toUTCString().replace('GMT', '+0000');

export const statusCallbackParams = (
  call: CallParties,
  progress: {
    readonly status: CallStatus;
    readonly sequenceNumber: number;
    readonly durationSeconds?: number;
    readonly answeredBy?: string;
    readonly at?: Date;
  },
): Record<string, string> => ({
  ...voiceParams(call, progress.status),
  CallbackSource: 'call-progress-events',
  Timestamp: rfc2822(progress.at ?? new Date()),
  SequenceNumber: String(progress.sequenceNumber),
  ...(progress.durationSeconds !== undefined && {
    CallDuration: String(progress.durationSeconds),
    Duration: String(Math.ceil(progress.durationSeconds / 60)),
  }),
  ...(progress.answeredBy !== undefined && { AnsweredBy: progress.answeredBy }),
});

export interface RecordingFacts {
  readonly recordingSid: string;
  readonly recordingUrl: string;
  readonly durationSeconds: number;
}

export const recordingStatusParams = (
  call: CallParties,
  recording: RecordingFacts,
  status: 'in-progress' | 'completed' | 'absent' = 'completed',
  source = 'RecordVerb',
): Record<string, string> => ({
  AccountSid: call.accountSid,
  CallSid: call.callSid,
  RecordingSid: recording.recordingSid,
  RecordingUrl: recording.recordingUrl,
  RecordingStatus: status,
  RecordingDuration: String(recording.durationSeconds),
  RecordingChannels: '1',
  RecordingSource: source,
  RecordingStartTime: rfc2822(new Date()),
});
