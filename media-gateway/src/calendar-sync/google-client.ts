import { z } from 'zod';
import type { TokenSource } from './token-source.js';

/**
 * The few calls of the Google Calendar API v3 the two-way sync needs, over its documented REST wire format
 * (https://developers.google.com/calendar/api/v3/reference): events.insert, events.patch, events.delete and
 * freebusy.query. Plain fetch rather than `googleapis`: that package is over 100 MB for four requests.
 */
export interface GoogleCalendarEvent {
  /** Our own id for the event (base32hex, 5–1024 chars): inserting it twice answers 409, never two events. */
  readonly id: string;
  readonly summary: string;
  readonly description?: string;
  readonly start: { readonly dateTime: string; readonly timeZone?: string };
  readonly end: { readonly dateTime: string; readonly timeZone?: string };
  readonly status?: 'confirmed' | 'tentative';
  readonly extendedProperties?: { readonly private: Readonly<Record<string, string>> };
}

export interface BusyRange {
  readonly from: string;
  readonly until: string;
}

export interface GoogleCalendarClient {
  /** Inserts the event; one that exists already (409) is patched instead. */
  upsertEvent(calendarId: string, event: GoogleCalendarEvent): Promise<{ readonly id: string }>;
  /** Deletes the event; one already gone (404, 410) counts as deleted. */
  deleteEvent(calendarId: string, eventId: string): Promise<void>;
  /** Busy time of each calendar in [from, until). */
  freeBusy(calendarIds: readonly string[], from: Date, until: Date): Promise<Map<string, BusyRange[]>>;
}

/** Google answered with an error the request cannot succeed past without a change (bad calendar id, no access). */
export class GoogleCalendarError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GoogleCalendarError';
  }
}

export const GOOGLE_CALENDAR_API = 'https://www.googleapis.com/calendar/v3';

const EventAnswer = z.object({ id: z.string() });
const FreeBusyAnswer = z.object({
  calendars: z.record(
    z.string(),
    z.object({
      busy: z.array(z.object({ start: z.string(), end: z.string() })).default([]),
      errors: z.array(z.object({ domain: z.string().optional(), reason: z.string() })).optional(),
    }),
  ),
});

export interface GoogleCalendarClientOptions {
  readonly baseUrl?: string;
  readonly tokens: TokenSource;
  /** The platform's outbound guard's fetch. */
  readonly fetch: typeof fetch;
  readonly timeoutMs?: number;
}

export const createGoogleCalendarClient = (options: GoogleCalendarClientOptions): GoogleCalendarClient => {
  const base = (options.baseUrl ?? GOOGLE_CALENDAR_API).replace(/\/$/, '');
  const doFetch = options.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const token = await options.tokens.accessToken();
    return doFetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  };

  const failure = async (response: Response, what: string): Promise<Error> => {
    const text = await response.text().catch(() => '');
    const detail = `${what}: Google Calendar answered ${response.status} ${text.slice(0, 300)}`;
    // 429 and 5xx pass with time; the rest needs someone to change something.
    return response.status === 429 || response.status >= 500
      ? new Error(detail)
      : new GoogleCalendarError(response.status, detail);
  };

  const calendarPath = (calendarId: string) => `/calendars/${encodeURIComponent(calendarId)}/events`;

  return {
    async upsertEvent(calendarId, event) {
      const inserted = await call('POST', calendarPath(calendarId), event);
      if (inserted.ok) return EventAnswer.parse(await inserted.json());
      if (inserted.status !== 409) throw await failure(inserted, `insert ${event.id}`);
      await inserted.body?.cancel();
      const { id: _id, ...changes } = event;
      const patched = await call('PATCH', `${calendarPath(calendarId)}/${encodeURIComponent(event.id)}`, {
        ...changes,
        // A deleted event keeps its id at Google: patching it back to confirmed restores it.
        status: event.status ?? 'confirmed',
      });
      if (!patched.ok) throw await failure(patched, `patch ${event.id}`);
      return EventAnswer.parse(await patched.json());
    },
    async deleteEvent(calendarId, eventId) {
      const answer = await call('DELETE', `${calendarPath(calendarId)}/${encodeURIComponent(eventId)}`);
      await answer.body?.cancel();
      if (answer.ok || answer.status === 404 || answer.status === 410) return;
      throw await failure(answer, `delete ${eventId}`);
    },
    async freeBusy(calendarIds, from, until) {
      const answer = await call('POST', '/freeBusy', {
        timeMin: from.toISOString(),
        timeMax: until.toISOString(),
        items: calendarIds.map((id) => ({ id })),
      });
      if (!answer.ok) throw await failure(answer, 'freeBusy');
      const parsed = FreeBusyAnswer.parse(await answer.json());
      const busy = new Map<string, BusyRange[]>();
      for (const id of calendarIds) {
        const calendar = parsed.calendars[id];
        // A calendar Google could not read is left out: its busy time is unknown, not empty.
        if (!calendar || (calendar.errors?.length ?? 0) > 0) continue;
        busy.set(
          id,
          calendar.busy.map((b) => ({
            from: new Date(b.start).toISOString(),
            until: new Date(b.end).toISOString(),
          })),
        );
      }
      return busy;
    },
  };
};
