import { wallClockAt } from '@ccp/schemas';
import type { AgentEntry, DepartmentEntry, ScriptEntry, TenantEntry } from '../directory/directory.js';
import { nextOpening } from '../routing/business-hours.js';
import { fillVariables } from './lead-variables.js';

export interface PromptInput {
  readonly tenant: TenantEntry;
  readonly department: DepartmentEntry | undefined;
  readonly agent: AgentEntry;
  /** Scripts written for the agent's type or for any agent. */
  readonly scripts: readonly ScriptEntry[];
  readonly afterHours: boolean;
  readonly now: Date;
  /** What people who joined the call whispered to the AI, oldest first. */
  readonly coaching?: readonly string[];
  /** A campaign call's lead variables: filled into the greeting, instructions and scripts ({{first_name}}). */
  readonly variables?: Readonly<Record<string, string>>;
  /** The tenant books through its services and calendars (find_free_slots). */
  readonly booksByService?: boolean;
  /** A caller whose number belongs to one of the tenant's contacts. */
  readonly caller?: { readonly name: string };
}

/**
 * The system prompt: the tenant's, the department's and the agent's instructions in that order (the most
 * specific last, so it wins), then personality, scripts and the situation. The lines `Tone: <tone>`,
 * `Greeting: <text>` and `Caller: <name>` are also read by the offline dialogue engine, which does not understand
 * free text.
 *
 * Ordered for prompt caches (OpenAI's, llama.cpp's): a server reuses the work done on the longest prefix it has
 * seen, so what is the same on every call of an agent comes first and what changes per call or per minute (the
 * caller, the campaign's lead, opening state, the time, a supervisor's notes) comes last. A changing second line
 * made every turn of a local model pay for the whole prompt again.
 */
export const buildSystemPrompt = ({
  tenant,
  department,
  agent,
  scripts,
  afterHours,
  now,
  coaching = [],
  variables,
  booksByService = false,
  caller,
}: PromptInput): string => {
  // Outside campaign calls text is said as written: braces in a tenant's greeting stay as they are.
  const fill = (text: string): string => (variables ? fillVariables(text, variables) : text);
  const { settings } = agent;
  const business = tenant.settings.branding.displayName ?? tenant.name;
  const { timeZone } = tenant.settings;
  const opens = afterHours
    ? nextOpening(
        department?.settings.escalation.businessHours ?? tenant.settings.businessHours,
        timeZone,
        now,
      )
    : undefined;
  const language = settings.languages[0] ?? 'en';
  const stable = [
    `You are ${settings.name}, an AI voice agent answering the phone for ${business}` +
      (department ? `, ${department.settings.name} department` : '') +
      '. You speak on a phone line: short sentences, no lists, no markdown, one question at a time.',
    `The business is in the ${timeZone} time zone; say times in it.`,
    'Answer questions about the business only from search_knowledge_base; never invent facts, prices or policies.',
    `Tone: ${settings.personality.tone}`,
  ];
  const perCall: string[] = [];
  if (settings.personality.traits?.length) stable.push(`Traits: ${settings.personality.traits.join(', ')}`);
  const greeting =
    settings.personality.greeting ??
    (afterHours
      ? closedGreeting(language, business, opens && openingText(language, opens, timeZone))
      : undefined);
  if (greeting !== undefined) {
    const line = `Greeting: ${fill(greeting)}`;
    // The agent's own greeting is the same on every call unless a lead's variables were filled into it; the
    // night line's names the next opening.
    const same = greeting === settings.personality.greeting && fill(greeting) === greeting;
    (same ? stable : perCall).push(line);
  }
  if (booksByService) {
    stable.push(
      'To book, call find_free_slots and offer only the times it returns (two or three, as its "spoken" line ' +
        'says them); book the one the caller picks with its startsAt and resourceId. If booking fails because ' +
        'the time was just taken, say so and offer the new times the result gives; a move to a time that is ' +
        'not free comes back with free times near it, to offer the same way.',
    );
  }
  for (const prompt of [
    tenant.settings.systemPrompt,
    department?.settings.systemPrompt,
    settings.systemPrompt,
  ]) {
    if (prompt !== undefined && prompt.trim() !== '') stable.push(fill(prompt.trim()));
  }
  for (const script of scripts) {
    stable.push(
      `Call script "${script.name}": open with "${fill(script.opening)}"; close with "${fill(script.closing)}".`,
    );
    for (const { objection, response } of script.objections) {
      stable.push(`If the caller objects "${objection}", answer along the lines of "${response}".`);
    }
  }
  const situation: string[] = [];
  if (caller) {
    // `Caller:` is also read by the offline engine (it greets the caller by name and does not ask for it).
    situation.push(
      `Caller: ${caller.name}`,
      `The caller is ${caller.name}, a known contact: greet them by name and book under that name without asking for it.`,
    );
  }
  if (variables && Object.keys(variables).length > 0) {
    const known = Object.entries(variables).map(([name, value]) => `${name}: ${value}`);
    situation.push(`You called this person about the campaign; what we know of them: ${known.join('; ')}.`);
  }
  situation.push(
    ...perCall,
    afterHours
      ? 'The business is closed now: nobody can take the call. ' +
          (opens !== undefined ? `It opens again ${openingText('en', opens, timeZone)}. ` : '') +
          'Book, move or cancel appointments (only into opening hours), take a message or schedule a call back.'
      : 'People can take calls now: hand the call over with escalate_to_human when the caller asks or you cannot help.',
    nowLine(now, timeZone),
  );
  // Last, so a supervisor's word outranks the standing instructions for the rest of this call.
  for (const note of coaching) {
    situation.push(`A supervisor listening to this call tells you (the caller cannot hear it): ${note}`);
  }
  return [...stable, ...situation].join('\n');
};

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * `Now: Monday, 2026-12-07, 09:15 (Europe/Madrid).`: the business's wall clock to the minute. Seconds would
 * change the prompt on every turn for nothing a caller asks about.
 */
export const nowLine = (now: Date, timeZone: string): string => {
  const w = wallClockAt(now, timeZone);
  return `Now: ${WEEKDAYS[w.weekday] ?? ''}, ${w.year}-${two(w.month)}-${two(w.day)}, ${two(w.hour)}:${two(w.minute)} (${timeZone}).`;
};

/** "on Monday at 8:00 AM" in the business's zone, as a night line says it. */
const openingText = (language: string, at: Date, timeZone: string): string => {
  const spanish = language.startsWith('es');
  const day = new Intl.DateTimeFormat(spanish ? 'es' : 'en-US', { timeZone, weekday: 'long' }).format(at);
  const time = new Intl.DateTimeFormat(spanish ? 'es' : 'en-US', {
    timeZone,
    hour: 'numeric',
    minute: '2-digit',
  }).format(at);
  return spanish ? `el ${day} a las ${time}` : `on ${day} at ${time}`;
};

/**
 * Out of hours the first words say so and when the business opens, so that nobody expects a person on the
 * line, and what the night line can still do (a real practice's night line books into open hours).
 */
const closedGreeting = (language: string, business: string, opens: string | undefined): string =>
  language.startsWith('es')
    ? `Gracias por llamar a ${business}. Ahora estamos cerrados` +
      (opens !== undefined ? `; abrimos de nuevo ${opens}` : '') +
      '. Puedo reservar, cambiar o cancelar una cita, o tomar un mensaje. ¿En qué puedo ayudarle?'
    : `Thanks for calling ${business}. We're closed right now` +
      (opens !== undefined ? `; we open again ${opens}` : '') +
      '. I can book, move or cancel an appointment, or take a message. How can I help?';

/** Scripts an agent may use: its own type's, and those written for any agent. */
export const scriptsFor = (agent: AgentEntry, scripts: readonly ScriptEntry[]): ScriptEntry[] =>
  scripts.filter((s) => !s.archived && (s.agentType === undefined || s.agentType === agent.settings.type));
