import type { MessageChannel, MessagePurpose } from '@ccp/schemas';

export interface BuiltInTemplate {
  readonly subject: string;
  readonly body: string;
  /** A shorter body for SMS and WhatsApp. */
  readonly short: string;
}

type Purpose = Exclude<MessagePurpose, 'reply'>;

/**
 * What a tenant that wrote no template of its own sends, in the two languages the platform speaks. The
 * variables are those of TEMPLATE_VARIABLES, so a tenant can start from these.
 */
const BUILT_IN: Readonly<Record<'en' | 'es', Readonly<Record<Purpose, BuiltInTemplate>>>> = {
  en: {
    confirmation: {
      subject: 'Your appointment at {{business}} on {{date}}',
      body:
        'Hello {{name}}, your {{service}} appointment at {{business}} is booked for {{date}} at {{time}} ' +
        '({{duration}}). Reply C to confirm, R to ask for another time, or STOP to opt out.',
      short:
        '{{business}}: {{service}} booked for {{date}} at {{time}}. Reply C to confirm, R to reschedule, STOP to opt out.',
    },
    rescheduled: {
      subject: 'Your appointment at {{business}} was moved to {{date}}',
      body:
        'Hello {{name}}, your {{service}} appointment at {{business}} was rescheduled to {{date}} at {{time}}. ' +
        'Reply C to confirm, R to ask for another time, or STOP to opt out.',
      short:
        '{{business}}: your {{service}} was rescheduled to {{date}} at {{time}}. Reply C to confirm, R to reschedule, STOP to opt out.',
    },
    reminder: {
      subject: 'Reminder: {{service}} on {{date}} at {{time}}',
      body:
        'Hello {{name}}, a reminder of your {{service}} appointment at {{business}} on {{date}} at {{time}}. ' +
        'Reply C to confirm, R to ask for another time, or STOP to opt out.',
      short:
        '{{business}} reminder: {{service}} on {{date}} at {{time}}. Reply C to confirm, R to reschedule, STOP to opt out.',
    },
    cancellation: {
      subject: 'Your appointment at {{business}} was cancelled',
      body:
        'Hello {{name}}, your {{service}} appointment at {{business}} on {{date}} at {{time}} was cancelled. ' +
        'Call us to book another time.',
      short:
        '{{business}}: your {{service}} on {{date}} at {{time}} was cancelled. Call us to book another time.',
    },
  },
  es: {
    confirmation: {
      subject: 'Su cita en {{business}} el {{date}}',
      body:
        'Hola {{name}}, su cita de {{service}} en {{business}} quedó reservada para el {{date}} a las {{time}} ' +
        '({{duration}}). Responda C para confirmar, R para pedir otra hora o BAJA para no recibir más mensajes.',
      short:
        '{{business}}: {{service}} reservada para el {{date}} a las {{time}}. Responda C para confirmar, R para cambiarla, BAJA para no recibir más.',
    },
    rescheduled: {
      subject: 'Su cita en {{business}} se movió al {{date}}',
      body:
        'Hola {{name}}, su cita de {{service}} en {{business}} se cambió al {{date}} a las {{time}}. ' +
        'Responda C para confirmar, R para pedir otra hora o BAJA para no recibir más mensajes.',
      short:
        '{{business}}: su cita de {{service}} se cambió al {{date}} a las {{time}}. Responda C para confirmar, R para cambiarla, BAJA para no recibir más.',
    },
    reminder: {
      subject: 'Recordatorio: {{service}} el {{date}} a las {{time}}',
      body:
        'Hola {{name}}, le recordamos su cita de {{service}} en {{business}} el {{date}} a las {{time}}. ' +
        'Responda C para confirmar, R para pedir otra hora o BAJA para no recibir más mensajes.',
      short:
        'Recordatorio de {{business}}: {{service}} el {{date}} a las {{time}}. Responda C para confirmar, R para cambiarla, BAJA para no recibir más.',
    },
    cancellation: {
      subject: 'Su cita en {{business}} fue cancelada',
      body:
        'Hola {{name}}, su cita de {{service}} en {{business}} del {{date}} a las {{time}} fue cancelada. ' +
        'Llámenos para reservar otra hora.',
      short:
        '{{business}}: su cita de {{service}} del {{date}} a las {{time}} fue cancelada. Llámenos para reservar otra hora.',
    },
  },
};

export const builtInLanguages: readonly string[] = Object.keys(BUILT_IN);

/** The built-in template for a purpose, channel and language, when the platform has one in that language. */
export const builtInTemplate = (
  purpose: Purpose,
  channel: MessageChannel,
  language: string,
): { readonly subject?: string; readonly body: string } | undefined => {
  const template = (BUILT_IN as Record<string, Record<Purpose, BuiltInTemplate> | undefined>)[language]?.[
    purpose
  ];
  if (!template) return undefined;
  return channel === 'email' ? { subject: template.subject, body: template.body } : { body: template.short };
};

/** The answer to a reply, by what it asked and what came of it. */
export type ReplyAnswer =
  | 'confirmed'
  | 'reschedule_requested'
  | 'stopped'
  | 'started'
  | 'no_appointment'
  | 'not_understood'
  | 'failed';

const REPLIES: Readonly<Record<'en' | 'es', Readonly<Record<ReplyAnswer, string>>>> = {
  en: {
    confirmed: 'Thank you, your appointment is confirmed.',
    reschedule_requested: 'Thank you, we will contact you to find another time.',
    stopped: 'You will not receive more messages from us here. Reply START to receive them again.',
    started: 'You will receive appointment messages from us here again. Reply STOP to opt out.',
    no_appointment: 'We could not find an upcoming appointment for this number. Please call us.',
    not_understood: 'Sorry, we did not understand. Reply C to confirm, R to reschedule, or STOP to opt out.',
    failed: 'Sorry, we could not take your request by message. Please call us.',
  },
  es: {
    confirmed: 'Gracias, su cita está confirmada.',
    reschedule_requested: 'Gracias, le contactaremos para buscar otra hora.',
    stopped: 'No recibirá más mensajes nuestros por aquí. Responda ALTA para volver a recibirlos.',
    started: 'Volverá a recibir mensajes de sus citas por aquí. Responda BAJA para no recibirlos.',
    no_appointment: 'No encontramos una cita próxima para este número. Por favor, llámenos.',
    not_understood:
      'Disculpe, no le entendimos. Responda C para confirmar, R para cambiar la cita o BAJA para no recibir más.',
    failed: 'Disculpe, no pudimos atender su petición por mensaje. Por favor, llámenos.',
  },
};

/** The reply's text in a language the platform speaks (English otherwise), and that language. */
export const replyText = (answer: ReplyAnswer, language: string): { text: string; language: string } => {
  const primary = language.toLowerCase().split('-')[0] ?? 'en';
  return primary === 'es'
    ? { text: REPLIES.es[answer], language: 'es' }
    : { text: REPLIES.en[answer], language: 'en' };
};
