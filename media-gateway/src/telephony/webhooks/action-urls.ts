import { z } from 'zod';

/*
 * Which request of the call a webhook answers travels in its action URL, which Twilio signs: the caller's line
 * (`/twilio/turn?turn=N`, with `quiet=K` silences before it), the IVR attempt (`/twilio/ivr?attempt=N`) and the
 * AI's replies when the call was queued (`/twilio/queue-exit?reply=N`). A request made again — Twilio retrying,
 * or anyone replaying a signed request — is answered as the first was, and nothing is recorded or run twice.
 */
/** Silences in a row before the AI says goodbye: a caller who left without hanging up must not hold a line. */
export const MAX_SILENCES = 2;
const Count = (max: number) => z.coerce.number().int().min(0).max(max);
// A turn without a number comes from TwiML of an older version (a call in flight across a deploy).
export const TurnQuery = z.object({
  turn: Count(100_000).min(1).optional(),
  quiet: Count(MAX_SILENCES).default(0),
});
export const IvrQuery = z.object({ attempt: Count(100).min(1) });
export const QueueExitQuery = z.object({ reply: Count(100_000) });

/** The action of a gather that hears the caller's `line`-th line, after `quiet` silences. */
export const turnAction = (line: number, quiet = 0): string =>
  `/twilio/turn?turn=${line}${quiet > 0 ? `&quiet=${quiet}` : ''}`;

export const queueExitAction = (repliesGiven: number) => `/twilio/queue-exit?reply=${repliesGiven}`;

/** Where the carrier reports a call's recording (recording-callback.ts). */
export const RECORDING_CALLBACK = '/twilio/recording';
