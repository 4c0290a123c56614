import { z } from 'zod';

/**
 * What a confirmation or reminder may say about its appointment: `{{name}}` in a template is replaced by the
 * value when the message is planned. A template naming anything else is refused when it is saved, so a typo is
 * found by the person typing it rather than by a customer reading "{{tiem}}".
 */
export const TEMPLATE_VARIABLES = [
  'name',
  'service',
  'date',
  'time',
  'staff',
  'business',
  'duration',
  'price',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The variables a template names, in order of first use. */
export const variablesOf = (template: string): string[] => [
  ...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '')),
];

/** Fills a template's variables; every variable must have a value (an absent one is an empty string). */
export const renderTemplate = (
  template: string,
  values: Readonly<Partial<Record<TemplateVariable, string>>>,
): string => template.replace(PLACEHOLDER, (_whole, name: string) => values[name as TemplateVariable] ?? '');

const known: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);

/** Template text whose every `{{variable}}` is one of TEMPLATE_VARIABLES. */
export const TemplateText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      for (const name of variablesOf(text)) {
        if (!known.has(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown template variable {{${name}}}; known: ${TEMPLATE_VARIABLES.join(', ')}`,
          });
        }
      }
    });

export const MessageChannel = z.enum(['sms', 'whatsapp', 'email']);
export type MessageChannel = z.infer<typeof MessageChannel>;

/** Why a message about an appointment is sent. */
export const MessagePurpose = z.enum(['confirmation', 'reminder', 'rescheduled', 'cancellation', 'reply']);
export type MessagePurpose = z.infer<typeof MessagePurpose>;

/** One template: for a purpose, a channel and a language. Email templates have a subject. */
export const MessageTemplate = z.object({
  purpose: MessagePurpose.exclude(['reply']),
  channel: MessageChannel,
  /** BCP 47 primary language ("en", "es"): the contact's language picks the template. */
  language: z.string().regex(/^[a-z]{2,3}$/, 'a template language is a primary language like en or es'),
  subject: TemplateText(200).optional(),
  body: TemplateText(1600),
});
export type MessageTemplate = z.infer<typeof MessageTemplate>;
