import type { z } from 'zod';
import {
  AssignNumber,
  CreateAgent,
  CreateArticle,
  CreateCallScript,
  CreateDepartment,
  CreateTenant,
  InviteMember,
  ProvisionNumber,
  PublishArticle,
  SYSTEM_ACTOR,
  UpdateAgent,
  decodeEvent,
  type BusinessHours,
  type CommandDefinition,
  type DomainEvent,
  type Role,
} from '@ccp/schemas';
import {
  agentDecider,
  fold,
  type Decider,
  tenantDecider,
  type EventStore,
  hashPassword,
  type PlatformContext,
} from '@ccp/command-service';
import { isOpen, localTime, nextOpening } from '@ccp/media-gateway';

export const DEMO_TENANT = 'demo';
export const DEMO_NUMBER = '+15550100001';
/** The clinic's switchboard: an IVR menu in front of the three departments. */
export const DEMO_IVR_NUMBER = '+15550100002';

export const DEMO_TIME_ZONE = 'America/New_York';
/** The clinic's opening hours as seeded: weekdays 08:00-18:00, Saturday mornings, closed on Sunday. */
export const DEMO_HOURS: BusinessHours = {
  weekly: [
    ...(['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open: '08:00', close: '18:00' })),
    { day: 'sat', open: '09:00', close: '13:00' },
  ],
};

/** One person per role, so that every screen can be tried as the role it is for. */
export const DEMO_USERS: readonly { userId: string; email: string; name: string; role: Role }[] = [
  { userId: 'demo-admin', email: 'admin@demo.example', name: 'Dana Admin', role: 'tenant_admin' },
  { userId: 'demo-supervisor', email: 'supervisor@demo.example', name: 'Sam Supervisor', role: 'supervisor' },
  { userId: 'demo-agent', email: 'agent@demo.example', name: 'Alex Agent', role: 'agent' },
  { userId: 'demo-analyst', email: 'analyst@demo.example', name: 'Ana Analyst', role: 'analyst' },
  {
    userId: 'demo-compliance',
    email: 'compliance@demo.example',
    name: 'Cole Compliance',
    role: 'compliance',
  },
  { userId: 'demo-viewer', email: 'viewer@demo.example', name: 'Vic Viewer', role: 'viewer' },
];

const ARTICLES = [
  {
    articleId: 'opening-hours',
    title: 'Opening hours and location',
    body: 'We are open Monday to Friday from 8:00 to 18:00 and Saturday from 9:00 to 13:00. The clinic is at 42 Harbour Street, next to the central library. Free parking is behind the building.',
    tags: ['hours', 'location', 'parking'],
  },
  {
    articleId: 'insurance',
    title: 'Insurance we accept',
    body: 'We accept Delta Dental, Cigna, Aetna and MetLife. Bring your insurance card to your first visit. Patients without insurance get 15% off cleanings when paying on the day.',
    tags: ['insurance', 'billing', 'payment'],
  },
  {
    articleId: 'cancellation-policy',
    title: 'Cancelling or moving an appointment',
    body: 'Appointments can be cancelled or rescheduled free of charge up to 24 hours before. Later cancellations and missed appointments cost a $40 fee.',
    tags: ['appointments', 'cancellation', 'fees'],
  },
  {
    articleId: 'whitening-prices',
    title: 'Teeth whitening prices',
    body: 'In-office whitening costs $350 and takes about 90 minutes. Take-home whitening trays cost $220 including two refills of gel.',
    tags: ['prices', 'whitening', 'cosmetic'],
  },
] as const;

/** Spanish callers are answered from Spanish articles: the knowledge base is searched in the caller's language. */
const SPANISH_ARTICLES = [
  {
    articleId: 'seguros',
    title: 'Seguros que aceptamos',
    body: 'Aceptamos Delta Dental, Cigna, Aetna y MetLife. Traiga su tarjeta del seguro a la primera visita. Sin seguro, la limpieza tiene un 15% de descuento si paga el mismo día.',
    tags: ['seguro', 'pago', 'facturación'],
  },
  {
    articleId: 'horario',
    title: 'Horario y dirección',
    body: 'Abrimos de lunes a viernes de 8:00 a 18:00 y los sábados de 9:00 a 13:00. La clínica está en 42 Harbour Street, junto a la biblioteca central.',
    tags: ['horario', 'dirección'],
  },
] as const;

const NIGHT_LINE_PROMPT =
  'The clinic is closed. Book, move or cancel appointments into opening hours, say when the clinic opens, ' +
  'and take a message or offer a callback the next working day for anything else.';
/** What the seeds before issue 21 gave the night line: English only, messages only. */
const OLD_NIGHT_LINE_PROMPT =
  'The clinic is closed. Take a message, open a ticket and offer a callback the next working day.';

/** An aggregate's state as its own decider folds it from the log. */
const stateOf = async <C, E extends DomainEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S>,
): Promise<S> => {
  const events = (await store.readStream(streamId)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value as unknown as E] : [];
  });
  return fold(decider, events);
};

/** The demo clinic's opening hours and time zone as the tenant has them now (an admin may have changed them). */
export const demoClinicHours = async (
  store: EventStore,
): Promise<{ readonly hours: BusinessHours; readonly timeZone: string }> => {
  const tenant = await stateOf(store, `tenant-${DEMO_TENANT}.${DEMO_TENANT}`, tenantDecider);
  return tenant.status === 'none'
    ? { hours: DEMO_HOURS, timeZone: DEMO_TIME_ZONE }
    : { hours: tenant.settings.businessHours, timeZone: tenant.settings.timeZone };
};

/**
 * A data directory seeded before the night line could book and speak Spanish gets it at the next start, so a
 * newcomer's Spanish call at night works there too. Only while the agent is as the old seed left it: an
 * admin's own changes are kept.
 */
const upgradeNightLine = async ({ handler, store }: PlatformContext): Promise<void> => {
  const mateo = await stateOf(store, `agent-${DEMO_TENANT}.mateo`, agentDecider);
  if (
    mateo.status === 'none' ||
    mateo.status === 'deleted' ||
    mateo.systemPrompt !== OLD_NIGHT_LINE_PROMPT ||
    JSON.stringify(mateo.languages) !== JSON.stringify(['en'])
  )
    return;
  await handler.handleTrusted(
    UpdateAgent.type,
    { tenantId: DEMO_TENANT, agentId: 'mateo', languages: ['en', 'es'], systemPrompt: NIGHT_LINE_PROMPT },
    { actor: SYSTEM_ACTOR, correlationId: 'demo-seed-upgrade' },
  );
};

/**
 * Seeds the demo tenant through the command handler, so the demo data is ordinary events. Runs once: a data
 * directory that already has the tenant is left as it is.
 */
export const seedDemo = async (context: PlatformContext, password: string): Promise<boolean> => {
  const { handler, store, identities } = context;
  const existing = await store.readStream(`tenant-${DEMO_TENANT}.${DEMO_TENANT}`, { maxCount: 1 });
  if (existing.length > 0) {
    await upgradeNightLine(context);
    return false;
  }

  const send = async <D extends CommandDefinition>(definition: D, input: z.input<D['data']>) => {
    await handler.handleTrusted(definition.type, input, { actor: SYSTEM_ACTOR, correlationId: 'demo-seed' });
  };
  const tenantId = DEMO_TENANT;

  await send(CreateTenant, {
    tenantId,
    name: 'Bright Smile Dental',
    planTier: 'professional',
    settings: {
      timeZone: DEMO_TIME_ZONE,
      languages: ['en', 'es'],
      businessHours: DEMO_HOURS,
      branding: { displayName: 'Bright Smile Dental', primaryColor: '#0e7c86' },
      systemPrompt: 'You work for Bright Smile Dental, a family dental clinic. Never give medical diagnoses.',
      askFeedback: true,
      ivrMenus: [
        {
          id: 'main',
          greeting: 'Thank you for calling Bright Smile Dental.',
          options: [
            {
              digit: '1',
              phrases: ['reception', 'appointments', 'recepción', 'citas'],
              departmentId: 'reception',
            },
            {
              digit: '2',
              phrases: ['new patients', 'new patient', 'pacientes nuevos'],
              departmentId: 'sales',
            },
            { digit: '3', phrases: ['billing', 'payments', 'facturación', 'pagos'], departmentId: 'billing' },
          ],
        },
      ],
    },
  });
  for (const [departmentId, name] of [
    ['reception', 'Reception'],
    ['sales', 'New patients'],
    ['billing', 'Billing'],
  ] as const) {
    await send(CreateDepartment, { tenantId, departmentId, name });
  }
  await send(CreateAgent, {
    tenantId,
    agentId: 'sofia',
    name: 'Sofia',
    type: 'customer_service',
    voice: 'Puck',
    personality: {
      tone: 'friendly',
      greeting: 'Thanks for calling Bright Smile Dental, this is Sofia. How can I help?',
    },
    systemPrompt:
      'Answer questions from the knowledge base and help callers book, move or cancel appointments.',
    departmentId: 'reception',
    languages: ['en', 'es'],
    escalationRules: { keywords: ['emergency', 'complaint', 'lawyer'] },
  });
  await send(CreateAgent, {
    tenantId,
    agentId: 'mateo',
    name: 'Mateo',
    type: 'after_hours',
    voice: 'Kore',
    personality: { tone: 'calm' },
    // A real practice's night line: books, moves and cancels into opening hours, says when the clinic opens.
    systemPrompt: NIGHT_LINE_PROMPT,
    departmentId: 'reception',
    languages: ['en', 'es'],
    fallback: 'take_message',
  });
  await send(CreateAgent, {
    tenantId,
    agentId: 'lucas',
    name: 'Lucas',
    type: 'sales',
    voice: 'Charon',
    personality: {
      tone: 'enthusiastic',
      greeting: 'Hi, this is Lucas from Bright Smile Dental. Are you looking to join us as a new patient?',
    },
    systemPrompt:
      'Welcome new patients, answer price questions from the knowledge base and book a first visit.',
    departmentId: 'sales',
    languages: ['en', 'es'],
    fallback: 'voicemail',
  });
  await send(CreateAgent, {
    tenantId,
    agentId: 'nora',
    name: 'Nora',
    type: 'customer_service',
    voice: 'Aoede',
    personality: { tone: 'professional' },
    systemPrompt: 'Answer billing and insurance questions; open a ticket for disputes.',
    departmentId: 'billing',
    languages: ['en', 'es'],
  });
  await send(ProvisionNumber, {
    tenantId,
    address: DEMO_IVR_NUMBER,
    kind: 'pstn',
    provider: 'simulator',
    label: 'Switchboard',
  });
  await send(AssignNumber, { tenantId, address: DEMO_IVR_NUMBER, target: { kind: 'ivr', id: 'main' } });
  await send(ProvisionNumber, {
    tenantId,
    address: DEMO_NUMBER,
    kind: 'pstn',
    provider: 'simulator',
    label: 'Main line',
  });
  await send(AssignNumber, { tenantId, address: DEMO_NUMBER, target: { kind: 'agent', id: 'sofia' } });
  for (const article of ARTICLES) {
    await send(CreateArticle, { tenantId, ...article, tags: [...article.tags] });
    await send(PublishArticle, { tenantId, articleId: article.articleId });
  }
  for (const article of SPANISH_ARTICLES) {
    await send(CreateArticle, { tenantId, ...article, tags: [...article.tags], language: 'es' });
    await send(PublishArticle, { tenantId, articleId: article.articleId });
  }
  await send(CreateCallScript, {
    tenantId,
    scriptId: 'new-patient',
    name: 'New patient booking',
    agentType: 'customer_service',
    opening: 'Welcome! I can book your first visit in a minute.',
    steps: [
      { id: 'name', prompt: 'May I have your full name?' },
      { id: 'reason', prompt: 'What would you like to come in for?' },
      { id: 'time', prompt: 'Which day and time suit you best?', expectedIntent: 'book_appointment' },
    ],
    objections: [
      { objection: 'too expensive', response: 'Your first check-up is free for new patients this month.' },
      { objection: 'no time', response: 'We are open on Saturday mornings too.' },
    ],
    closing: 'You are all set. We will send a reminder the day before.',
    language: 'en',
  });
  for (const user of DEMO_USERS) await send(InviteMember, { tenantId, ...user });
  await identities.catchUp();
  const hash = await hashPassword(password);
  for (const { userId } of DEMO_USERS) identities.setPasswordHash({ tenantId, userId }, hash, Date.now());
  return true;
};

/** Which demo line to call for which simulator scenario (the README names the same). */
export const DEMO_CALLS: readonly {
  readonly to: string;
  readonly scenarios: readonly string[];
  readonly what: string;
}[] = [
  {
    to: DEMO_IVR_NUMBER,
    scenarios: ['ivr-dtmf', 'ivr-voice'],
    what: 'the switchboard: an IVR menu, then reception',
  },
  {
    to: DEMO_NUMBER,
    scenarios: ['faq', 'book', 'angry', 'after-hours', 'spanish'],
    what: 'the main line: the receptionist, or the night line when closed',
  },
];

/**
 * The start output's lines about calling the demo: whether the clinic is open now (by the seeded hours), who
 * answers, and the simulator line for each scenario on the right number.
 */
export const demoCallLines = (options: {
  readonly now: Date;
  readonly url: string;
  readonly dataDir: string;
  readonly demoClock: boolean;
  /** The clinic's hours as the tenant has them now (demoClinicHours); the seeded ones when not given. */
  readonly clinic?: { readonly hours: BusinessHours; readonly timeZone: string };
}): string[] => {
  const { hours, timeZone } = options.clinic ?? { hours: DEMO_HOURS, timeZone: DEMO_TIME_ZONE };
  const { day, time } = localTime(options.now, timeZone);
  const where = `${day} ${time} in ${timeZone}`;
  const opens = nextOpening(hours, timeZone, options.now);
  const opensText =
    opens === undefined
      ? ''
      : `; opens ${new Intl.DateTimeFormat('en-US', {
          timeZone,
          weekday: 'long',
          hour: 'numeric',
          minute: '2-digit',
        }).format(opens)}`;
  const cli = `npx tsx media-gateway/src/simulator/cli.ts --url ${options.url} --data-dir ${options.dataDir}`;
  const lines = [
    isOpen(hours, timeZone, options.now)
      ? `  demo clinic: open now (${where}): Sofia, the receptionist, answers`
      : `  demo clinic: closed now (${where}${opensText}): Mateo, the night line, answers; he books into open hours and takes messages`,
  ];
  for (const { to, scenarios, what } of DEMO_CALLS) {
    const [first, ...others] = scenarios;
    lines.push(
      `  call ${to}: ${what}`,
      `    ${cli} --to ${to} --scenario ${first ?? ''}   # or ${others.join(', ')}; --media for a Media Stream`,
    );
  }
  if (options.demoClock)
    lines.push('  any hour:    add --at <ISO time>, e.g. --at 2026-12-14T12:00:00-05:00 (DEMO_CLOCK is on)');
  return lines;
};
