import { MediaStreamClient, type StreamEnd } from './media-stream-client.js';
import { CallOver, type Document, type RunningCall } from './running-call.js';
import type { HttpMethod, Stream } from './twiml.js';

/**
 * The verbs that hand the call's audio to a Media Stream: `<Connect><Stream>` talks over it until it ends,
 * `<Start><Stream>` forks a copy that hears the caller while the TwiML goes on.
 */

const summarise = (
  call: RunningCall,
  client: MediaStreamClient,
  url: string,
  kind: 'connect' | 'start',
  end?: StreamEnd,
): void => {
  call.streams.push({
    url,
    streamSid: client.streamSid,
    kind,
    received: client.received,
    sent: client.sent,
    marksEchoed: client.marksEchoed,
    clears: client.clears,
    mediaFramesSent: client.mediaFramesSent,
    protocolErrors: client.protocolErrors,
    timings: client.timings,
    ...(end !== undefined && { end }),
  });
};

const openStream = async (call: RunningCall, stream: Stream): Promise<MediaStreamClient | undefined> => {
  try {
    return await MediaStreamClient.connect({
      ...call.options.media,
      url: stream.url,
      authToken: call.options.authToken,
      call: call.parties,
      customParameters: stream.parameters,
    });
  } catch (error) {
    // Twilio logs a stream error and carries on with the TwiML after the stream.
    call.errors.push({
      kind: 'stream',
      message: error instanceof Error ? error.message : String(error),
      url: stream.url,
    });
    return undefined;
  }
};

export const connectStream = async (
  call: RunningCall,
  stream: Stream,
  action: string | undefined,
  method: HttpMethod,
): Promise<(() => Promise<Document>) | 'continue'> => {
  const client = await call.race(openStream(call, stream));
  if (client === undefined) return 'continue';
  let end: StreamEnd | undefined;
  try {
    end = await call.race(client.converse(call.options.caller, call.conversation));
  } catch (error) {
    await client.stop();
    end = 'stopped';
    throw error;
  } finally {
    summarise(call, client, stream.url, 'connect', end);
  }
  if (end === 'caller-hung-up') throw new CallOver('caller');
  if (action === undefined) return 'continue';
  return () => call.fetchDocument(action, method, { StreamSid: client.streamSid });
};

export const forkStream = async (call: RunningCall, stream: Stream): Promise<void> => {
  const client = await call.race(openStream(call, stream));
  if (client === undefined) return;
  client.attach(call.conversation);
  const name = stream.name ?? client.streamSid;
  call.forks.set(name, client);
  void client.done.then(() => summarise(call, client, stream.url, 'start'));
};
