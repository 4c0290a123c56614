import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/** The telephony provider's call control: what the gateway asks of it besides answering webhooks. */
export interface Carrier {
  /** Dials out; the carrier then calls `url` when the callee answers and `statusCallback` as the call goes. */
  placeCall(request: {
    readonly to: string;
    readonly from: string;
    readonly url: string;
    readonly statusCallback: string;
    /** Ask the carrier whether a person or a machine answered (Twilio's answering machine detection). */
    readonly machineDetection: boolean;
  }): Promise<{ readonly callId: string }>;
  /** Replaces what a live call is doing with new TwiML (take it out of a queue into a conference, ...). */
  redirect(callId: string, twiml: string): Promise<void>;
  hangUp(callId: string): Promise<void>;
  /** Starts recording the whole call; the carrier reports the recording to `statusCallback` once complete. */
  startRecording(callId: string, statusCallback: string): Promise<{ readonly recordingId: string }>;
  /** Stops the call's recording in progress; nothing when none is. */
  stopRecording(callId: string): Promise<void>;
  /** Deletes a recording of the call; nothing when the carrier holds none by that id. */
  deleteRecording(callId: string, recordingId: string): Promise<void>;
  /**
   * Calls placed from `from` to `to` since `startedAfter` (newest first): after a crash, tells whether a dial
   * the platform started reached the carrier before the process died.
   */
  findCalls(query: {
    readonly to: string;
    readonly from: string;
    readonly startedAfter: Date;
  }): Promise<readonly { readonly callId: string; readonly status: string }[]>;
}

export interface TwilioCarrierOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /**
   * Another base URL for Twilio's REST API: the embedded profile's local carrier (the simulator's stand-in of
   * Twilio), or a recording proxy. Absent: api.twilio.com.
   */
  readonly apiUrl?: string;
}

/**
 * Sends every REST request of the official client to another base URL. A custom `httpClient` is the client's
 * documented extension point (edge/region only change the twilio.com host name): scheme and host are
 * rewritten, path, auth and body stay exactly as the client built them.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super();
  }

  override request<TData>(options: RequestClient.RequestOptions<TData>) {
    const uri = new URL(options.uri);
    uri.protocol = this.base.protocol;
    uri.host = this.base.host;
    return super.request<TData>({ ...options, uri: uri.href });
  }
}

/** The official twilio client, optionally pointed at another base URL. */
export const twilioClient = (options: TwilioCarrierOptions) =>
  twilio(options.accountSid, options.authToken, {
    ...(options.apiUrl !== undefined && { httpClient: new RebasedRequestClient(new URL(options.apiUrl)) }),
  });

const absentIsDone = async (request: Promise<unknown>): Promise<void> => {
  try {
    await request;
  } catch (error) {
    if ((error as { status?: unknown } | null)?.status !== 404) throw error;
  }
};

export const createTwilioCarrier = (options: TwilioCarrierOptions): Carrier => {
  const client = twilioClient(options);
  return {
    placeCall: async (request) => {
      const call = await client.calls.create({
        to: request.to,
        from: request.from,
        url: request.url,
        method: 'POST',
        statusCallback: request.statusCallback,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        ...(request.machineDetection && { machineDetection: 'DetectMessageEnd' }),
      });
      return { callId: call.sid };
    },
    redirect: async (callId, twiml) => {
      await client.calls(callId).update({ twiml });
    },
    hangUp: async (callId) => {
      await client.calls(callId).update({ status: 'completed' });
    },
    startRecording: async (callId, statusCallback) => {
      const recording = await client.calls(callId).recordings.create({
        recordingStatusCallback: statusCallback,
        recordingStatusCallbackMethod: 'POST',
      });
      return { recordingId: recording.sid };
    },
    stopRecording: async (callId) => {
      // Twilio.CURRENT names the call's recording in progress; a 404 says none is.
      await absentIsDone(client.calls(callId).recordings('Twilio.CURRENT').update({ status: 'stopped' }));
    },
    deleteRecording: async (_callId, recordingId) => {
      await absentIsDone(client.recordings(recordingId).remove());
    },
    findCalls: async (query) => {
      // The resource's dates have whole seconds: the filter keeps the second the dial started in.
      const calls = await client.calls.list({
        to: query.to,
        from: query.from,
        startTimeAfter: query.startedAfter,
        limit: 50,
      });
      return calls
        .filter((c) => c.dateCreated.getTime() >= query.startedAfter.getTime() - 1000)
        .map((c) => ({ callId: c.sid, status: c.status }));
    },
  };
};

/**
 * The carrier with its failed requests counted as provider errors (port `telephony`): a dial, a redirect or a
 * hang-up the carrier refused or never answered. The errors still reach the caller as they were.
 */
export const countedCarrier = (
  carrier: Carrier,
  provider: string,
  onError: (provider: string, error: unknown) => void,
): Carrier => {
  const counted =
    <A extends unknown[], R>(request: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await request(...args);
      } catch (error) {
        onError(provider, error);
        throw error;
      }
    };
  return {
    placeCall: counted((request) => carrier.placeCall(request)),
    redirect: counted((callId, twiml) => carrier.redirect(callId, twiml)),
    hangUp: counted((callId) => carrier.hangUp(callId)),
    startRecording: counted((callId, statusCallback) => carrier.startRecording(callId, statusCallback)),
    stopRecording: counted((callId) => carrier.stopRecording(callId)),
    deleteRecording: counted((callId, recordingId) => carrier.deleteRecording(callId, recordingId)),
    findCalls: counted((query) => carrier.findCalls(query)),
  };
};
