import { z } from 'zod';

/** The pseudo-tenant that owns platform-wide streams (number and login claims, super admins). */
export const PLATFORM_TENANT = 'platform';

export const TenantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/, 'a tenant id is 3-40 lowercase letters, digits or dashes');

/** Ids of entities inside a tenant: safe in stream names, URLs and ClickHouse keys. */
export const EntityId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,79}$/, 'an id is 1-80 letters, digits, "_", ":" or "-"');

/**
 * Text fields carry no rule about control characters here: the edge refuses them in every string it is sent
 * (schemas/src/well-formed.ts), and a rule in these shared schemas would also apply to events already stored.
 */
/** One line of text (a subject, a label), trimmed. */
export const SingleLine = (max: number) => z.string().trim().min(1).max(max);

export const Name = z.string().trim().min(1).max(120);
export const LongText = z.string().max(20_000);

export const ROLES = [
  'super_admin',
  'tenant_admin',
  'supervisor',
  'agent',
  'analyst',
  'compliance',
  'viewer',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const IsoDateTime = z.iso.datetime({ offset: true });

export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone number is E.164, like +15551234567');

export const Email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());

/** BCP 47 language tag such as "en", "es-MX". */
export const LanguageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language is a BCP 47 tag like en or es-MX');

/**
 * Zones found valid. Building an Intl formatter costs tens of microseconds, which a 100,000-lead import pays per
 * lead; only valid names are kept, so the set stays as small as the zone database whatever callers send.
 */
const knownTimeZones = new Set<string>();
const isTimeZone = (tz: string): boolean => {
  if (knownTimeZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    knownTimeZones.add(tz);
    return true;
  } catch {
    return false;
  }
};
export const TimeZone = z.string().refine(isTimeZone, 'not an IANA time zone');

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM');
export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

export const OpeningInterval = z
  .object({ day: Weekday, open: HHMM, close: HHMM })
  .refine((i) => i.open < i.close, { message: 'open must be before close', path: ['close'] });

/** Weekly opening hours in the time zone of whoever owns them (tenant, department or agent). */
export const BusinessHours = z.object({
  timeZone: TimeZone.optional(),
  weekly: z.array(OpeningInterval).max(50),
});
export type BusinessHours = z.infer<typeof BusinessHours>;

export const PLAN_TIERS = ['free', 'starter', 'professional', 'enterprise'] as const;
export const PlanTier = z.enum(PLAN_TIERS);
export type PlanTier = z.infer<typeof PlanTier>;
