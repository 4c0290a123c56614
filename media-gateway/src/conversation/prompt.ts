import type { AgentEntry, DepartmentEntry, ScriptEntry, TenantEntry } from '../directory/directory.js';
import { nextOpening } from '../routing/business-hours.js';
import { fillVariables } from './lead-variables.js';

/** What every call of an agent shares: the system prompt is made of this alone. */
export interface AgentPromptInput {
  readonly tenant: TenantEntry;
  readonly department: DepartmentEntry | undefined;
  readonly agent: AgentEntry;
  /** Scripts written for the agent's type or for any agent. */
  readonly scripts: readonly ScriptEntry[];
  /** The tenant books through its services and calendars (find_free_slots). */
  readonly booksByService?: boolean;
}

/** One call's situation on top of the agent's prompt: the call context. */
export interface PromptInput extends AgentPromptInput {
  readonly afterHours: boolean;
  /** When the call started: the context says this time, so it stays the same for every turn of the call. */
  readonly now: Date;
  /** What people who joined the call whispered to the AI, oldest first. */
  readonly coaching?: readonly string[];
  /** A campaign call's lead variables: the values of the prompt's and scripts' placeholders ({{first_name}}). */
  readonly variables?: Readonly<Record<string, string>>;
  /** A caller whose number belongs to one of the tenant's contacts. */
  readonly caller?: { readonly name: string };
}

/*
 * The prompt comes in two parts because of prompt caches (OpenAI's, llama.cpp's): a server reuses the work done
 * on the longest prefix it has seen, and chat templates (Qwen's, Hermes-style ones) write the tool list after
 * the system message. So the system prompt holds only what every call of the agent shares, and the call's
 * situation (who calls, a lead's variables, open or closed, when the call started, a supervisor's notes) is the
 * call context, which the adapters place after the tools (llm/prompt-placement.ts). A time on the system
 * prompt's second line made every turn of a local model process ~1,500 tokens again.
 *
 * The lines `Tone: <tone>`, `Greeting: <text>` and `Caller: <name>` are also read by the offline dialogue
 * engine, which does not understand free text; it reads the context's before the system prompt's.
 */

/**
 * The system prompt: the tenant's, the department's and the agent's instructions in that order (the most
 * specific last, so it wins), then personality and scripts; the same on every call of the agent. A campaign's
 * placeholders ({{first_name}}) stay as written: the context gives their values. Takes a whole PromptInput too
 * (reading only the agent's part), so one input serves both halves.
 */
export const buildSystemPrompt = ({
  tenant,
  department,
  agent,
  scripts,
  booksByService = false,
}: AgentPromptInput | PromptInput): string => {
  const { settings } = agent;
  const business = businessName(tenant);
  const lines = [
    `You are ${settings.name}, an AI voice agent answering the phone for ${business}` +
      (department ? `, ${department.settings.name} department` : '') +
      '. You speak on a phone line: short sentences, no lists, no markdown, one question at a time.',
    `The business is in the ${tenant.settings.timeZone} time zone; say times in it.`,
    'Answer questions about the business only from search_knowledge_base; never invent facts, prices or policies.',
    `Tone: ${settings.personality.tone}`,
  ];
  if (settings.personality.traits?.length) lines.push(`Traits: ${settings.personality.traits.join(', ')}`);
  if (settings.personality.greeting !== undefined) lines.push(`Greeting: ${settings.personality.greeting}`);
  if (booksByService) {
    lines.push(
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
    if (prompt !== undefined && prompt.trim() !== '') lines.push(prompt.trim());
  }
  for (const script of scripts) {
    lines.push(
      `Call script "${script.name}": open with "${script.opening}"; close with "${script.closing}".`,
    );
    for (const { objection, response } of script.objections) {
      lines.push(`If the caller objects "${objection}", answer along the lines of "${response}".`);
    }
  }
  return lines.join('\n');
};

/**
 * The call context: who calls, a campaign lead's variables, a greeting made for this call, whether people take
 * calls (and when the business opens), when the call started, and a supervisor's notes. The same for every
 * turn of a call until a note comes, so a server's cache keeps the whole history from turn to turn.
 */
export const buildCallContext = ({
  tenant,
  department,
  agent,
  afterHours,
  now,
  coaching = [],
  variables,
  caller,
}: PromptInput): string => {
  const { settings } = agent;
  const { timeZone } = tenant.settings;
  const opens = opensAgain({ tenant, department, afterHours, now });
  const lines: string[] = [];
  if (caller) {
    // `Caller:` is also read by the offline engine (it greets the caller by name and does not ask for it).
    lines.push(
      `Caller: ${caller.name}`,
      `The caller is ${caller.name}, a known contact: greet them by name and book under that name without asking for it.`,
    );
  }
  if (variables && Object.keys(variables).length > 0) {
    const known = Object.entries(variables).map(([name, value]) => `${name}: ${value}`);
    lines.push(
      `You called this person about the campaign; what we know of them: ${known.join('; ')}. ` +
        'Where the instructions or scripts say {{name}}, say the value of that name here.',
    );
  }
  const own = settings.personality.greeting;
  const greeting = callGreeting({ tenant, agent, afterHours, variables }, opens);
  // The agent's own greeting is in the system prompt; only one made for this call (a lead's, the night line's
  // naming the next opening) is repeated here, and this one wins.
  if (greeting !== undefined && greeting !== own) lines.push(`Greeting: ${greeting}`);
  lines.push(
    afterHours
      ? 'The business is closed now: nobody can take the call. ' +
          (opens !== undefined ? `It opens again ${openingText('en', opens, timeZone)}. ` : '') +
          'Book, move or cancel appointments (only into opening hours), take a message or schedule a call back.'
      : 'People can take calls now: hand the call over with escalate_to_human when the caller asks or you cannot help.',
    startLine(now, timeZone),
  );
  // Last, so a supervisor's word outranks the standing instructions for the rest of this call.
  for (const note of coaching) {
    lines.push(`A supervisor listening to this call tells you (the caller cannot hear it): ${note}`);
  }
  return lines.join('\n');
};

const businessName = (tenant: TenantEntry): string => tenant.settings.branding.displayName ?? tenant.name;

/** When a closed business opens again (the night line says it). */
const opensAgain = ({
  tenant,
  department,
  afterHours,
  now,
}: Pick<PromptInput, 'tenant' | 'department' | 'afterHours' | 'now'>): Date | undefined =>
  afterHours
    ? nextOpening(
        department?.settings.escalation.businessHours ?? tenant.settings.businessHours,
        tenant.settings.timeZone,
        now,
      )
    : undefined;

/** The opening when this call has its own (a lead's, the night line's naming `opens`), else the agent's. */
const callGreeting = (
  {
    tenant,
    agent,
    afterHours,
    variables,
  }: Pick<PromptInput, 'tenant' | 'agent' | 'afterHours' | 'variables'>,
  opens: Date | undefined,
): string | undefined => {
  const own = agent.settings.personality.greeting;
  const language = agent.settings.languages[0] ?? 'en';
  // Outside campaign calls text is said as written: braces in a tenant's greeting stay as they are.
  if (own !== undefined) return variables ? fillVariables(own, variables) : own;
  return afterHours
    ? closedGreeting(
        language,
        businessName(tenant),
        opens && openingText(language, opens, tenant.settings.timeZone),
      )
    : undefined;
};

/**
 * What the prompt holds that may be said to a caller: the tenant's own words (instructions, greeting, scripts,
 * names, a lead's values, a supervisor's notes) and the call's greeting. The rest is the platform's instructions
 * to the model, which a reply must not read back (guards/echo.ts).
 */
export const sayableIn = (input: PromptInput): string[] => {
  const { tenant, department, agent, scripts, variables, coaching = [], caller } = input;
  const { settings } = agent;
  return [
    tenant.name,
    businessName(tenant),
    tenant.settings.systemPrompt,
    department?.settings.name,
    department?.settings.systemPrompt,
    settings.name,
    settings.systemPrompt,
    settings.personality.greeting,
    ...(settings.personality.traits ?? []),
    ...scripts.flatMap((s) => [
      s.name,
      s.opening,
      s.closing,
      ...s.objections.flatMap((o) => [o.objection, o.response]),
    ]),
    ...Object.values(variables ?? {}),
    ...coaching,
    caller?.name,
    callGreeting(input, opensAgain(input)),
  ].filter((text): text is string => text !== undefined && text.trim() !== '');
};

/**
 * "The call started on Monday, March 2, 2026 at 11:00 (America/New_York).": the business's wall clock to the
 * minute when the call started, the model's "now" for "today" and "tomorrow". The current minute would change
 * the context on every turn.
 */
export const startLine = (startedAt: Date, timeZone: string): string => {
  const date = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: 'numeric',
  }).format(startedAt);
  const time = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(startedAt);
  return `The call started on ${date} at ${time} (${timeZone}).`;
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
