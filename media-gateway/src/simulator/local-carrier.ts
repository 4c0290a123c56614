import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { twilioClient } from '../telephony/carrier.js';
import { z } from 'zod';
import { machineVoicePcm } from '../speech/machine-voice.js';
import { pcmToWav } from '../speech/wav.js';
import { scripted, type Caller } from './caller.js';
import {
  PhoneCall,
  type CallResult,
  type LiveCall,
  type LiveCallRegistry,
  type MediaOptions,
  type StatusEvent,
} from './phone-call.js';
import {
  rfc2822,
  statusCallbackParams,
  sendSignedRequest,
  twilioSid,
  type CallParties,
  type CallStatus,
  type HttpExchange,
} from './signed-request.js';
import type { TranscriptLine } from './transcript.js';
import { localMessages, type LocalMessages } from './local-messages.js';
import { recordingRoute } from './local-recordings.js';

/**
 * A LOCAL STAND-IN for Twilio's REST API (api.twilio.com, 2010-04-01), on loopback, speaking its documented wire
 * format: create, update and fetch calls, with Basic auth by AccountSid:AuthToken. Behind it, it plays the
 * telephone network: outbound calls ring the simulated callee (busy, no answer, a person or an answering
 * machine, as the test says), status callbacks follow, and live calls — outbound, or inbound ones placed with
 * this carrier's registry — obey call updates (new TwiML or URL, or hang-up) at once. Messages.json is the
 * stand-in of the Messages API (local-messages.ts).
 */

export interface OutboundRequest {
  readonly to: string;
  readonly from: string;
  readonly machineDetection?: 'Enable' | 'DetectMessageEnd';
}

/** What happens at the other end of an outbound call. */
export interface Callee {
  readonly answer: 'human' | 'machine' | 'busy' | 'no-answer' | 'failed';
  /** The person (or voicemail) once answered; by default someone who hangs up at the first question. */
  readonly caller?: Caller;
  readonly ringSeconds?: number;
}

export interface LocalCarrierOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** Decides each outbound call's callee. Default: a person answers and hangs up when asked anything. */
  readonly callee?: (request: OutboundRequest) => Callee;
  readonly media?: MediaOptions;
  readonly timeScale?: number;
  readonly onLine?: (callSid: string, line: TranscriptLine) => void;
}

export interface LocalCarrier {
  /** Base URL of the stand-in, e.g. http://127.0.0.1:54321 (what api.twilio.com would be). */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Pass to placeInboundCall so that REST updates reach inbound calls too. */
  readonly registry: LiveCallRegistry;
  /** Every REST request received, in order. */
  readonly requests: readonly {
    method: string;
    path: string;
    params: Record<string, string[]>;
    status: number;
  }[];
  /** Status callbacks sent by the carrier itself (before a call is answered, or when it never is). */
  readonly exchanges: readonly HttpExchange[];
  /** The Messages API stand-in: what was sent, and a switch to make it fail. */
  readonly messages: LocalMessages;
  /** The end of an outbound call placed through the REST API. */
  outboundResult(callSid: string): Promise<CallResult>;
  /** Resolves when a call with this SID is live (inbound or outbound). */
  waitForLiveCall(predicate: (call: LiveCall) => boolean, timeoutMs?: number): Promise<LiveCall>;
  stop(): Promise<void>;
}

const CreateCall = z
  .object({
    To: z.string().min(1),
    From: z.string().min(1),
    Url: z.url().optional(),
    Twiml: z.string().optional(),
    Method: z.enum(['GET', 'POST']).default('POST'),
    StatusCallback: z.url().optional(),
    StatusCallbackMethod: z.enum(['GET', 'POST']).default('POST'),
    StatusCallbackEvent: z.array(z.enum(['initiated', 'ringing', 'answered', 'completed'])).optional(),
    MachineDetection: z.enum(['Enable', 'DetectMessageEnd']).optional(),
    AsyncAmd: z.enum(['true', 'false']).optional(),
    Record: z.enum(['true', 'false']).optional(),
    Timeout: z.coerce.number().int().positive().optional(),
  })
  .refine((p) => p.Url !== undefined || p.Twiml !== undefined, { message: 'Url or Twiml is required' });

const UpdateCall = z.object({
  Url: z.url().optional(),
  Method: z.enum(['GET', 'POST']).default('POST'),
  Twiml: z.string().optional(),
  Status: z.enum(['completed', 'canceled']).optional(),
});

/** Form parameters with repeats kept (StatusCallbackEvent is sent once per event). */
const formOf = (body: string): Record<string, string[]> => {
  const params: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) (params[key] ??= []).push(value);
  return params;
};
const single = (params: Record<string, string[]>, repeated: readonly string[] = []) =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, repeated.includes(k) ? v : v[0]]));

interface CallRecord {
  parties: CallParties;
  live?: LiveCall;
  status: CallStatus;
  answeredBy?: string;
  dateCreated: Date;
  startTime?: Date;
  endTime?: Date;
  duration?: number;
}

/** Starts the stand-in on 127.0.0.1 and a free port. */
export const startLocalCarrier = async (options: LocalCarrierOptions): Promise<LocalCarrier> => {
  const records = new Map<string, CallRecord>();
  const results = new Map<string, Promise<CallResult>>();
  const requests: { method: string; path: string; params: Record<string, string[]>; status: number }[] = [];
  const exchanges: HttpExchange[] = [];
  const liveWaiters = new Set<() => void>();
  const recordings = new Map<string, string>();
  const messaging = localMessages(options);

  const registry: LiveCallRegistry = {
    register(call) {
      const existing = records.get(call.parties.callSid);
      const record: CallRecord = existing ?? {
        parties: call.parties,
        status: call.status,
        dateCreated: call.startedAt,
      };
      record.live = call;
      record.startTime ??= call.startedAt;
      records.set(call.parties.callSid, record);
      for (const wake of liveWaiters) wake();
      return () => {
        record.status = call.status;
        record.endTime = new Date();
        record.duration = Math.round(
          (record.endTime.getTime() - (record.startTime ?? record.dateCreated).getTime()) / 1000,
        );
        for (const [sid, text] of call.recordings) recordings.set(sid, text);
        delete record.live;
      };
    },
  };

  const resource = (record: CallRecord) => {
    const { parties } = record;
    const status = record.live?.status ?? record.status;
    const uri = `/2010-04-01/Accounts/${parties.accountSid}/Calls/${parties.callSid}.json`;
    return {
      sid: parties.callSid,
      account_sid: parties.accountSid,
      parent_call_sid: null,
      to: parties.to,
      to_formatted: parties.to,
      from: parties.from,
      from_formatted: parties.from,
      phone_number_sid: null,
      status,
      direction: parties.direction,
      answered_by: record.answeredBy ?? null,
      api_version: '2010-04-01',
      date_created: rfc2822(record.dateCreated),
      date_updated: rfc2822(new Date()),
      start_time: record.startTime ? rfc2822(record.startTime) : null,
      end_time: record.endTime ? rfc2822(record.endTime) : null,
      duration: record.duration !== undefined ? String(record.duration) : null,
      price: null,
      price_unit: 'USD',
      caller_name: null,
      forwarded_from: null,
      group_sid: null,
      queue_time: '0',
      trunk_sid: null,
      uri,
      subresource_uris: {
        recordings: `${uri.replace('.json', '')}/Recordings.json`,
        notifications: `${uri.replace('.json', '')}/Notifications.json`,
      },
    };
  };

  /** Calls.json read: Twilio's To, From and StartTime> filters, newest first, one page (its list format). */
  const list = (url: URL) => {
    const to = url.searchParams.get('To');
    const from = url.searchParams.get('From');
    const after = url.searchParams.get('StartTime>');
    const since = after !== null ? new Date(after).getTime() : Number.NEGATIVE_INFINITY;
    const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
    const calls = [...records.values()]
      .filter((r) => (to === null || r.parties.to === to) && (from === null || r.parties.from === from))
      // A call not yet answered has no start time on Twilio's resource either; it was created when dialled.
      .filter((r) => (r.startTime ?? r.dateCreated).getTime() >= since)
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())
      .slice(0, pageSize)
      .map(resource);
    const path = `/2010-04-01/Accounts/${options.accountSid}/Calls.json`;
    return {
      calls,
      start: 0,
      end: Math.max(0, calls.length - 1),
      page: 0,
      page_size: pageSize,
      uri: `${path}${url.search}`,
      first_page_uri: `${path}${url.search}`,
      next_page_uri: null,
      previous_page_uri: null,
    };
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  };
  const restError = (res: ServerResponse, status: number, code: number, message: string) =>
    sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  const authorised = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    return user === options.accountSid && rest.join(':') === options.authToken;
  };

  /** Plays the network for one outbound call, after the 201 has gone back. */
  const dial = async (
    record: CallRecord,
    create: z.infer<typeof CreateCall>,
    base: string,
  ): Promise<CallResult> => {
    const events: readonly StatusEvent[] = create.StatusCallbackEvent ?? ['completed'];
    let sequence = 0;
    const progress = async (event: StatusEvent, status: CallStatus, durationSeconds?: number) => {
      record.status = status;
      if (create.StatusCallback === undefined || !events.includes(event)) return;
      exchanges.push(
        await sendSignedRequest({
          url: create.StatusCallback,
          method: create.StatusCallbackMethod,
          params: statusCallbackParams(record.parties, { status, sequenceNumber: sequence, durationSeconds }),
          authToken: options.authToken,
        }),
      );
      sequence += 1;
    };
    const callee = options.callee?.({
      to: create.To,
      from: create.From,
      ...(create.MachineDetection !== undefined && { machineDetection: create.MachineDetection }),
    }) ?? { answer: 'human' as const };
    await progress('initiated', 'initiated');
    await progress('ringing', 'ringing');
    await new Promise((resolve) =>
      setTimeout(resolve, (callee.ringSeconds ?? 1) * 1000 * (options.timeScale ?? 0.01)),
    );
    if (callee.answer === 'busy' || callee.answer === 'no-answer' || callee.answer === 'failed') {
      record.endTime = new Date();
      record.duration = 0;
      await progress('completed', callee.answer, 0);
      return {
        callSid: record.parties.callSid,
        accountSid: record.parties.accountSid,
        status: callee.answer,
        endedBy: 'carrier',
        durationSeconds: 0,
        transcript: [],
        heard: [],
        exchanges: [],
        streams: [],
        errors: [],
        failures: [],
      };
    }
    if (create.MachineDetection !== undefined) {
      record.answeredBy =
        callee.answer === 'human'
          ? 'human'
          : create.MachineDetection === 'DetectMessageEnd'
            ? 'machine_end_beep'
            : 'machine_start';
    }
    const call = new PhoneCall(
      record.parties,
      {
        authToken: options.authToken,
        caller: callee.caller ?? scripted([]),
        registry,
        recordingBaseUrl: base,
        ...(options.media !== undefined && { media: options.media }),
        ...(options.timeScale !== undefined && { timeScale: options.timeScale }),
        ...(options.onLine && {
          onLine: (line: TranscriptLine) => options.onLine?.(record.parties.callSid, line),
        }),
        ...(create.StatusCallback !== undefined && {
          statusCallback: { url: create.StatusCallback, method: create.StatusCallbackMethod, events },
        }),
      },
      'in-progress',
    );
    call.statusSequence = sequence;
    record.startTime = new Date();
    // Asynchronous AMD reports to its own callback; only synchronous detection adds AnsweredBy to the Url request.
    const answeredBy = create.AsyncAmd === 'true' ? undefined : record.answeredBy;
    return call.run({
      url: create.Url ?? base,
      method: create.Method,
      ...(create.Twiml !== undefined && { twiml: create.Twiml }),
      ...(answeredBy !== undefined && { answeredBy }),
    });
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    base: string,
  ): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const recording = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings\/(RE[0-9a-f]{32})(\.wav)?$/.exec(
      url.pathname,
    );
    if (req.method === 'GET' && recording) {
      // Recording media is public by default on Twilio; the audio is the caller's words in machine voice.
      const text = recordings.get(recording[2] ?? '');
      if (text === undefined) return restError(res, 404, 20404, 'The requested resource was not found');
      res.setHeader('content-type', 'audio/x-wav');
      res.end(pcmToWav(machineVoicePcm(text), 8000));
      return;
    }
    const recordingsDeps = {
      accountSid: options.accountSid,
      liveCall: (sid: string) => records.get(sid)?.live,
      liveCalls: () => [...records.values()].flatMap((r) => (r.live ? [r.live] : [])),
      recordings,
      json: sendJson,
      error: restError,
    };
    const params = single(formOf(body));
    if (recordingRoute(recordingsDeps, req.method ?? '', url.pathname, params, res, authorised(req))) return;
    const account = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    if (account) {
      if (!authorised(req) || account[1] !== options.accountSid) {
        res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
        return restError(res, 401, 20003, 'Authenticate');
      }
      messaging.handle(req, res, url, single(formOf(body)), { json: sendJson, error: restError });
      return;
    }
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls(?:\/(CA[0-9a-f]{32}))?\.json$/.exec(url.pathname);
    if (!match) return restError(res, 404, 20404, 'The requested resource was not found');
    if (!authorised(req) || match[1] !== options.accountSid) {
      res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
      return restError(res, 401, 20003, 'Authenticate');
    }
    const form = formOf(body);
    const callSid = match[2];
    if (callSid === undefined && req.method === 'GET') return sendJson(res, 200, list(url));
    if (callSid === undefined) {
      if (req.method !== 'POST') return restError(res, 405, 20004, 'Method not allowed');
      const parsed = CreateCall.safeParse(single(form, ['StatusCallbackEvent']));
      if (!parsed.success) return restError(res, 400, 21205, z.prettifyError(parsed.error));
      const parties: CallParties = {
        callSid: twilioSid('CA'),
        accountSid: options.accountSid,
        from: parsed.data.From,
        to: parsed.data.To,
        direction: 'outbound-api',
      };
      const record: CallRecord = { parties, status: 'queued', dateCreated: new Date() };
      records.set(parties.callSid, record);
      sendJson(res, 201, resource(record));
      const result = dial(record, parsed.data, base);
      result.catch(() => undefined);
      results.set(parties.callSid, result);
      return;
    }
    const record = records.get(callSid);
    if (!record)
      return restError(res, 404, 20404, `The requested resource /Calls/${callSid}.json was not found`);
    if (req.method === 'POST') {
      const parsed = UpdateCall.safeParse(single(form));
      if (!parsed.success) return restError(res, 400, 21218, z.prettifyError(parsed.error));
      const live = record.live;
      if (!live) return restError(res, 400, 21220, 'Call is not in-progress. Cannot redirect.');
      const update = parsed.data;
      if (update.Status !== undefined) live.hangUp();
      else if (update.Twiml !== undefined) live.redirect({ twiml: update.Twiml });
      else if (update.Url !== undefined) live.redirect({ url: update.Url, method: update.Method });
      else return restError(res, 400, 21218, 'Url, Twiml or Status is required');
    } else if (req.method !== 'GET') {
      return restError(res, 405, 20004, 'Method not allowed');
    }
    sendJson(res, 200, resource(record));
  };

  let base = '';
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      route(req, res, body, base)
        .catch((error: unknown) => restError(res, 500, 20500, String(error)))
        .finally(() =>
          requests.push({
            method: req.method ?? '',
            path: req.url ?? '',
            params: formOf(body),
            status: res.statusCode,
          }),
        );
    });
  });
  // once() rejects when listening fails, instead of an unhandled 'error' in the platform that hosts the carrier.
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    accountSid: options.accountSid,
    authToken: options.authToken,
    registry,
    requests,
    exchanges,
    messages: messaging.messages,
    outboundResult: (callSid) =>
      results.get(callSid) ?? Promise.reject(new Error(`no outbound call ${callSid}`)),
    waitForLiveCall: (predicate, timeoutMs = 10_000) =>
      new Promise<LiveCall>((resolve, reject) => {
        const check = () => {
          for (const record of records.values()) {
            if (record.live && predicate(record.live)) {
              clearTimeout(timer);
              liveWaiters.delete(check);
              resolve(record.live);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          liveWaiters.delete(check);
          reject(new Error('no such live call'));
        }, timeoutMs);
        liveWaiters.add(check);
        check();
      }),
    stop: async () => {
      for (const record of records.values()) record.live?.hangUp();
      await Promise.allSettled(results.values());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** The official twilio client sending every REST request to the stand-in instead of api.twilio.com. */
export const twilioClientFor = (carrier: Pick<LocalCarrier, 'url' | 'accountSid' | 'authToken'>) =>
  twilioClient({ accountSid: carrier.accountSid, authToken: carrier.authToken, apiUrl: carrier.url });
