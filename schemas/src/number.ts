import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { E164, EntityId, Name, TenantId } from './primitives.js';

/** One stream per address, in the platform pseudo-tenant: an address belongs to one tenant at a time. */
const category = 'number';

// The user part keeps to characters that need no escaping in a SIP URI; the host is a DNS name.
const SIP_FORM = /^sip:[A-Za-z0-9._~+-]{1,64}@([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$/;

/**
 * A phone number in E.164 or a SIP address like sip:1001@pbx.acme.example. The host is lower-cased, as DNS
 * names are case-insensitive, so that one address cannot be provisioned twice under two spellings.
 */
export const NumberAddress = z
  .string()
  .max(200)
  .refine(
    (a) => E164.safeParse(a).success || SIP_FORM.test(a),
    'an address is an E.164 number like +15551234567 or a SIP address like sip:1001@pbx.example.com',
  )
  .transform((a) => {
    const at = a.lastIndexOf('@');
    return at < 0 ? a : a.slice(0, at) + a.slice(at).toLowerCase();
  });

export const NumberKind = z.enum(['pstn', 'sip']);
export type NumberKind = z.infer<typeof NumberKind>;
export const NumberProvider = z.enum(['twilio', 'asterisk', 'simulator']);
export type NumberProvider = z.infer<typeof NumberProvider>;

export const numberKindOf = (address: string): NumberKind => (address.startsWith('sip:') ? 'sip' : 'pstn');

/** Who answers calls to a number: an AI agent, a department (its day or after-hours agent), or an IVR menu of the tenant. */
export const NumberTarget = z.object({ kind: z.enum(['agent', 'department', 'ivr']), id: EntityId });
export type NumberTarget = z.infer<typeof NumberTarget>;

const numberKey = { tenantId: TenantId, address: NumberAddress };

// Commands

export const ProvisionNumber = defineCommand(
  category,
  'ProvisionNumber',
  z
    .object({ ...numberKey, kind: NumberKind, provider: NumberProvider, label: Name.optional() })
    .refine((d) => d.kind === numberKindOf(d.address), {
      message: 'pstn is for E.164 numbers, sip for SIP addresses',
      path: ['kind'],
    }),
  'Take a phone number or SIP address for the tenant; it answers nothing until assigned.',
);
export const AssignNumber = defineCommand(
  category,
  'AssignNumber',
  z.object({ ...numberKey, target: NumberTarget }),
  'Route calls to a number to an AI agent or a department, in place of any previous target.',
);
export const UnassignNumber = defineCommand(
  category,
  'UnassignNumber',
  z.object(numberKey),
  'Stop routing calls to a number; the tenant keeps it.',
);
export const ReleaseNumber = defineCommand(
  category,
  'ReleaseNumber',
  z.object(numberKey),
  'Give a number up; anyone may provision it afterwards.',
);

// Events

export const NumberProvisioned = defineEvent(
  category,
  'NumberProvisioned',
  1,
  // The owner is in the data because the stream is platform-wide and its decider sees the data, not the envelope.
  z.object({ ownerTenantId: TenantId, kind: NumberKind, provider: NumberProvider, label: Name.optional() }),
);
export const NumberAssigned = defineEvent(
  category,
  'NumberAssigned',
  1,
  z.object({ target: NumberTarget, previousTarget: NumberTarget.optional() }),
);
export const NumberUnassigned = defineEvent(
  category,
  'NumberUnassigned',
  1,
  z.object({ previousTarget: NumberTarget }),
);
export const NumberReleased = defineEvent(category, 'NumberReleased', 1, z.object({}));

/** A check other commands run first (a campaign's caller IDs): refused unless the tenant holds the number. */
export const VerifyCallerId = defineCommand(
  category,
  'VerifyCallerId',
  z.object(numberKey),
  'Check that the tenant holds a number, to call from it; stores nothing.',
);

export const numberCommands = [
  ProvisionNumber,
  AssignNumber,
  UnassignNumber,
  ReleaseNumber,
  VerifyCallerId,
] as const;
export const numberEvents = [NumberProvisioned, NumberAssigned, NumberUnassigned, NumberReleased] as const;
