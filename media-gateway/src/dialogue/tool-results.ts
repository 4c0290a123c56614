import { z } from 'zod';

/** The results of the gateway's tools, as the dialogue policy reads them. */

export const ErrorResult = z.object({ error: z.string() });
export const SearchResult = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      title: z.string(),
      text: z.string(),
      score: z.number(),
      passage: z.string().optional(),
      passageLanguage: z.string().optional(),
    }),
  ),
});
export const Scheduled = z.object({ appointmentId: z.string(), startsAt: z.string() });
/** A time refused by the practice's hours carries the next opening (conversation/tools.ts). */
export const ClosedThen = z.object({ error: z.string(), nextOpening: z.iso.datetime({ offset: true }) });
export const History = z.object({
  appointments: z.array(
    z.object({ appointmentId: z.string(), service: z.string(), startsAt: z.string(), status: z.string() }),
  ),
});
export const Escalation = z.object({ queued: z.boolean(), reason: z.string().optional() });
export const CallbackResult = z.object({ callbackAt: z.string() });
/** find_free_slots (and a booking refused because the time was taken): the times to offer. */
export const Offers = z.object({
  offers: z.array(z.object({ startsAt: z.iso.datetime({ offset: true }), resourceId: z.string() })),
  services: z.array(z.string()),
  dayFull: z.boolean().optional(),
  error: z.string().optional(),
});
