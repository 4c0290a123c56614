import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importSPKI, jwtVerify } from 'jose';

/**
 * A STAND-IN for Google's Calendar API v3 and OAuth token endpoint, written from Google's documented wire
 * format (events.insert/patch/delete, freebusy.query, the JWT bearer grant), on loopback for tests. It is not
 * Google: the sync is verified against this, and reported unverified against the real service.
 */
export interface StandInEvent {
  id: string;
  calendarId: string;
  summary?: string;
  start: { dateTime: string; timeZone?: string };
  end: { dateTime: string; timeZone?: string };
  status: 'confirmed' | 'tentative' | 'cancelled';
  extendedProperties?: unknown;
}

export interface GoogleCalendarStandIn {
  readonly url: string;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  /** Events by calendar, cancelled ones included (as Google keeps them). */
  events(calendarId: string): StandInEvent[];
  /** Busy time someone put in the calendar directly (a dentist's own meeting). */
  addExternal(calendarId: string, from: string, until: string): void;
  /** Requests received, by "METHOD path-pattern". */
  readonly requests: string[];
  /** Answer the next N API calls with this status (503: Google unavailable). */
  failNext(count: number, status: number): void;
  /** How many of the failures asked for are still to be answered. */
  failuresLeft(): number;
  close(): Promise<void>;
}

const body = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (response: ServerResponse, status: number, payload?: unknown) => {
  response.statusCode = status;
  if (payload === undefined) return response.end();
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(payload));
};

const googleError = (status: number, message: string) => ({ error: { code: status, message } });

/**
 * Starts the stand-in. `servicePublicKey` (SPKI PEM) checks the service account's JWT assertions; the token it
 * hands out is then required on every API call.
 */
export const startGoogleCalendarStandIn = async (
  servicePublicKey: string,
): Promise<GoogleCalendarStandIn> => {
  const publicKey = await importSPKI(servicePublicKey, 'RS256');
  const calendars = new Map<string, Map<string, StandInEvent>>();
  const external = new Map<string, { from: string; until: string }[]>();
  const issued = new Set<string>();
  const requests: string[] = [];
  let failures = { count: 0, status: 503 };
  let url = '';

  const calendar = (id: string) => {
    let events = calendars.get(id);
    if (!events) calendars.set(id, (events = new Map()));
    return events;
  };

  const token = async (request: IncomingMessage, response: ServerResponse) => {
    const form = new URLSearchParams(await body(request));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return send(response, 400, { error: 'unsupported_grant_type' });
    }
    try {
      await jwtVerify(form.get('assertion') ?? '', publicKey, { audience: `${url}/token` });
    } catch {
      return send(response, 400, { error: 'invalid_grant' });
    }
    const accessToken = `ya29.stand-in-${issued.size + 1}`;
    issued.add(accessToken);
    send(response, 200, { access_token: accessToken, expires_in: 3600, token_type: 'Bearer' });
  };

  const api = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!issued.has(bearer)) return send(response, 401, googleError(401, 'Invalid Credentials'));
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      return send(response, failures.status, googleError(failures.status, 'Backend Error'));
    }
    const method = request.method ?? 'GET';
    if (method === 'POST' && path === '/freeBusy') {
      requests.push('POST /freeBusy');
      const query = JSON.parse(await body(request)) as {
        timeMin: string;
        timeMax: string;
        items: { id: string }[];
      };
      const min = Date.parse(query.timeMin);
      const max = Date.parse(query.timeMax);
      const answer: Record<string, unknown> = {};
      for (const { id } of query.items) {
        if (!calendars.has(id) && !external.has(id)) {
          answer[id] = { busy: [], errors: [{ domain: 'global', reason: 'notFound' }] };
          continue;
        }
        const ranges = [
          ...[...calendar(id).values()]
            .filter((e) => e.status !== 'cancelled')
            .map((e) => ({ from: Date.parse(e.start.dateTime), until: Date.parse(e.end.dateTime) })),
          ...(external.get(id) ?? []).map((r) => ({ from: Date.parse(r.from), until: Date.parse(r.until) })),
        ]
          .map((r) => ({ from: Math.max(r.from, min), until: Math.min(r.until, max) }))
          .filter((r) => r.from < r.until)
          .sort((a, b) => a.from - b.from);
        // Google merges overlapping and touching busy blocks.
        const merged: { from: number; until: number }[] = [];
        for (const r of ranges) {
          const last = merged.at(-1);
          if (last && r.from <= last.until) last.until = Math.max(last.until, r.until);
          else merged.push({ ...r });
        }
        answer[id] = {
          busy: merged.map((r) => ({
            start: new Date(r.from).toISOString(),
            end: new Date(r.until).toISOString(),
          })),
        };
      }
      return send(response, 200, {
        kind: 'calendar#freeBusy',
        timeMin: query.timeMin,
        timeMax: query.timeMax,
        calendars: answer,
      });
    }
    const match = /^\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(path);
    if (!match) return send(response, 404, googleError(404, 'Not Found'));
    const calendarId = decodeURIComponent(match[1] ?? '');
    const eventId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const events = calendar(calendarId);
    requests.push(`${method} /events${eventId === undefined ? '' : '/:id'}`);
    if (method === 'POST' && eventId === undefined) {
      const event = JSON.parse(await body(request)) as Omit<StandInEvent, 'calendarId' | 'status'> & {
        status?: StandInEvent['status'];
      };
      if (!/^[a-v0-9]{5,1024}$/.test(event.id))
        return send(response, 400, googleError(400, 'Invalid resource id value.'));
      if (events.has(event.id))
        return send(response, 409, googleError(409, 'The requested identifier already exists.'));
      const stored: StandInEvent = { ...event, calendarId, status: event.status ?? 'confirmed' };
      events.set(event.id, stored);
      return send(response, 200, { kind: 'calendar#event', ...stored });
    }
    const existing = eventId === undefined ? undefined : events.get(eventId);
    if (!existing) return send(response, 404, googleError(404, 'Not Found'));
    if (method === 'PATCH') {
      Object.assign(existing, JSON.parse(await body(request)) as Partial<StandInEvent>);
      return send(response, 200, { kind: 'calendar#event', ...existing });
    }
    if (method === 'DELETE') {
      if (existing.status === 'cancelled')
        return send(response, 410, googleError(410, 'Resource has been deleted'));
      existing.status = 'cancelled';
      return send(response, 204);
    }
    send(response, 405, googleError(405, 'Method Not Allowed'));
  };

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    const handled =
      request.method === 'POST' && path === '/token'
        ? token(request, response)
        : path.startsWith('/calendar/v3')
          ? api(request, response, path.slice('/calendar/v3'.length))
          : Promise.resolve(send(response, 404));
    handled.catch((error: unknown) => send(response, 500, googleError(500, String(error))));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiUrl: `${url}/calendar/v3`,
    tokenUrl: `${url}/token`,
    events: (calendarId) => [...calendar(calendarId).values()],
    addExternal: (calendarId, from, until) => {
      external.set(calendarId, [...(external.get(calendarId) ?? []), { from, until }]);
    },
    requests,
    failNext: (count, status) => {
      failures = { count, status };
    },
    failuresLeft: () => failures.count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
