import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { LiveCall } from './call-options.js';
import { rfc2822 } from './signed-request.js';

/**
 * The local carrier's stand-in of Twilio's Recordings resource (2010-04-01), in its documented wire format:
 * POST Calls/{CallSid}/Recordings.json starts recording a live call, POST Calls/{CallSid}/Recordings/{Sid}.json
 * with Status=stopped stops it (Sid may be Twilio.CURRENT, the recording in progress), DELETE
 * Recordings/{Sid}.json deletes a recording. The recording itself is made by the call (phone-call.ts).
 */

const CreateRecording = z.object({
  RecordingStatusCallback: z.url().optional(),
  RecordingStatusCallbackMethod: z.enum(['GET', 'POST']).default('POST'),
});
const UpdateRecording = z.object({ Status: z.enum(['stopped', 'paused', 'in-progress']) });

export interface RecordingRoutesDeps {
  readonly accountSid: string;
  readonly liveCall: (callSid: string) => LiveCall | undefined;
  /** The recordings of calls that ended, as the carrier keeps them. */
  readonly recordings: Map<string, string>;
  readonly liveCalls: () => Iterable<LiveCall>;
  readonly json: (res: ServerResponse, status: number, body: unknown) => void;
  readonly error: (res: ServerResponse, status: number, code: number, message: string) => void;
}

const resource = (accountSid: string, callSid: string, sid: string, status: string) => ({
  sid,
  account_sid: accountSid,
  call_sid: callSid,
  conference_sid: null,
  status,
  channels: 1,
  source: 'StartCallRecordingAPI',
  start_time: rfc2822(new Date()),
  date_created: rfc2822(new Date()),
  date_updated: rfc2822(new Date()),
  duration: null,
  price: null,
  price_unit: 'USD',
  api_version: '2010-04-01',
  error_code: null,
  track: 'both',
  uri: `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}/Recordings/${sid}.json`,
});

/** Handles a Recordings request (authorised already); false when the path is not one of them. */
export const recordingRoute = (
  deps: RecordingRoutesDeps,
  method: string,
  path: string,
  params: Readonly<Record<string, unknown>>,
  res: ServerResponse,
  authorised: boolean,
): boolean => {
  const prefix = `/2010-04-01/Accounts/${deps.accountSid}`;
  if (!path.startsWith(`${prefix}/`)) return false;
  const rest = path.slice(prefix.length);
  const callRecordings =
    /^\/Calls\/(CA[0-9a-f]{32})\/Recordings(?:\/(RE[0-9a-f]{32}|Twilio\.CURRENT))?\.json$/.exec(rest);
  const recording = /^\/Recordings\/(RE[0-9a-f]{32})\.json$/.exec(rest);
  if ((callRecordings || (recording && method === 'DELETE')) && !authorised) {
    res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
    deps.error(res, 401, 20003, 'Authenticate');
    return true;
  }
  if (callRecordings) {
    const [, callSid = '', sid] = callRecordings;
    const live = deps.liveCall(callSid);
    if (method !== 'POST') {
      deps.error(res, 405, 20004, 'Method not allowed');
      return true;
    }
    if (!live) {
      deps.error(res, 400, 21220, 'Call is not in-progress. Cannot create or update a recording.');
      return true;
    }
    if (sid === undefined) {
      const parsed = CreateRecording.safeParse(params);
      if (!parsed.success) {
        deps.error(res, 400, 21205, z.prettifyError(parsed.error));
        return true;
      }
      const { RecordingStatusCallback: url, RecordingStatusCallbackMethod: callbackMethod } = parsed.data;
      const started = live.startRecording(
        url !== undefined ? { url, method: callbackMethod, source: 'StartCallRecordingAPI' } : undefined,
      );
      deps.json(res, 201, resource(deps.accountSid, callSid, started, 'in-progress'));
      return true;
    }
    const parsed = UpdateRecording.safeParse(params);
    if (!parsed.success) {
      deps.error(res, 400, 21205, z.prettifyError(parsed.error));
      return true;
    }
    if (parsed.data.Status !== 'stopped') {
      deps.error(res, 400, 21205, 'this stand-in only stops recordings');
      return true;
    }
    const stopped = live.stopRecording();
    if (stopped === undefined || (sid !== 'Twilio.CURRENT' && sid !== stopped)) {
      deps.error(res, 404, 20404, `The requested resource /Recordings/${sid}.json was not found`);
      return true;
    }
    deps.json(res, 200, resource(deps.accountSid, callSid, stopped, 'stopped'));
    return true;
  }
  if (recording && method === 'DELETE') {
    const sid = recording[1] ?? '';
    let held = deps.recordings.delete(sid);
    for (const live of deps.liveCalls()) held = live.deleteRecording(sid) || held;
    if (held) {
      res.statusCode = 204;
      res.end();
    } else {
      deps.error(res, 404, 20404, `The requested resource /Recordings/${sid}.json was not found`);
    }
    return true;
  }
  return false;
};
