import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  DEMO_CALLS,
  DEMO_HOURS,
  DEMO_NUMBER,
  DEMO_TENANT,
  DEMO_TIME_ZONE,
  demoCallLines,
  demoClinicHours,
  seedDemo,
  configFromEnv,
} from '@ccp/infra';
import { isOpen } from '@ccp/media-gateway';
import {
  placeInboundCall,
  expectToHear,
  hangUp,
  say,
  scripted,
  type Caller,
  scenario,
  SCENARIO_NAMES,
  type ScenarioName,
} from '@ccp/media-gateway/simulator';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';

/**
 * Issue 21: a newcomer's first call must work whenever they try it. Every scenario the README and the start
 * output name, with the content the CLI gives it by default, at a weekday noon, a weekday 23:00 and a Sunday
 * morning in New York, through signed webhooks and through a Media Stream. One platform, on the real clock with
 * DEMO_CLOCK on: each call asks for its own time with the simulator's signed DemoAt, as `cli.ts --at` does.
 */

const MONDAY_NOON = nextMondayInNewYork(12);
const MONDAY_NIGHT = nextMondayInNewYork(23);
// The Sunday before that Monday, 09:00 in New York (the clinic is closed all day).
const SUNDAY_MORNING = new Date(nextMondayInNewYork(9).getTime() - 86_400_000);

const TIMES = [
  ['weekday 12:00', MONDAY_NOON],
  ['weekday 23:00', MONDAY_NIGHT],
  ['Sunday 09:00', SUNDAY_MORNING],
] as const;

const isScenario = (name: string): name is ScenarioName =>
  (SCENARIO_NAMES as readonly string[]).includes(name);

/** Scenario and number, as the start output names them (and the README, checked below). */
const SCENARIOS: readonly (readonly [ScenarioName, string])[] = DEMO_CALLS.flatMap(({ to, scenarios }) =>
  scenarios.filter(isScenario).map((name) => [name, to] as const),
);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every `--to <number> --scenario <name>` in a text, with the names on the same line after "# or". */
const callsNamed = (text: string): { to: string; names: string[] }[] =>
  [...text.matchAll(/--to (\+\d+)\s+--scenario ([\w-]+)[^\n#]*(?:#\s*or ([^\n;]*))?/g)].map((m) => ({
    to: m[1] ?? '',
    names: [m[2] ?? '', ...(m[3] ?? '').split(/,|\bor\b/).map((n) => n.trim())].filter(isScenario),
  }));

const lineOf = (to: string): readonly string[] => DEMO_CALLS.find((c) => c.to === to)?.scenarios ?? [];

describe('what the README and the start output tell a newcomer', () => {
  it('the README names every scenario run here, each on its line', () => {
    const named = callsNamed(readFileSync(`${ROOT}README.md`, 'utf8'));
    expect(named.length).toBeGreaterThan(0);
    for (const { to, names } of named) for (const name of names) expect(lineOf(to)).toContain(name);
    expect(named.flatMap((c) => c.names).sort()).toEqual(SCENARIOS.map(([name]) => name).sort());
  });

  it('the start output says whether the clinic is open now and which line to call for which scenario', () => {
    const lines = (now: Date) =>
      demoCallLines({ now, url: 'http://127.0.0.1:8080', dataDir: '.data', demoClock: true }).join('\n');
    expect(lines(MONDAY_NOON)).toMatch(/demo clinic: open now \(mon 12:00 in America\/New_York\)/);
    expect(lines(MONDAY_NIGHT)).toMatch(
      /closed now \(mon 23:00 in America\/New_York; opens Tuesday 8:00 AM\)/,
    );
    expect(lines(SUNDAY_MORNING)).toMatch(
      /closed now \(sun 09:00 in America\/New_York; opens Monday 8:00 AM\)/,
    );
    const named = callsNamed(lines(SUNDAY_MORNING));
    for (const { to, names } of named) expect(names).toEqual(lineOf(to));
    expect(named.flatMap((c) => c.names).sort()).toEqual(SCENARIOS.map(([name]) => name).sort());
    expect(lines(MONDAY_NOON)).toContain('--at <ISO time>');
    expect(isOpen(DEMO_HOURS, DEMO_TIME_ZONE, MONDAY_NOON)).toBe(true);
  });
});

let env: GatewayPlatform;

beforeAll(async () => {
  env = await startGatewayPlatform({ now: () => new Date(), env: { DEMO_CLOCK: 'true' } });
}, 60_000);
afterAll(() => env?.stop());

/** Who answered the call first (the IVR's calls start with nobody, then are transferred). */
const answeredBy = async (callSid: string): Promise<string | undefined> => {
  const events = await env.callEvents(callSid);
  const transferred = events.find((e) => e.type === 'CallTransferred')?.data as
    { to: { id: string } } | undefined;
  const started = events.find((e) => e.type === 'CallStarted')?.data as { agentId?: string } | undefined;
  return transferred?.to.id ?? started?.agentId;
};

// Calls run a few at a time (Vitest's maxConcurrency, 5: the demo agents' own limit): each has its own clock.
describe.concurrent.each(TIMES)('the demo at %s (New York)', (_label, at) => {
  describe.each(['gather', 'stream'] as const)('through %s', (mode) => {
    it.each(SCENARIOS)('%s on %s', { timeout: 30_000 }, async (name, to) => {
      const s = scenario(name, { callerName: 'Ada Lovelace' });
      const result = await placeInboundCall({
        baseUrl: env.test.url,
        voicePath: mode === 'stream' ? '/twilio/voice?mode=stream' : '/twilio/voice',
        statusCallbackPath: '/twilio/status',
        authToken: env.authToken,
        accountSid: env.accountSid,
        from: '+15555550123',
        to,
        caller: s.caller,
        registry: env.carrier.registry,
        media: { realtime: false, endSilenceMs: 600 },
        demoAt: at.toISOString(),
      });
      const transcript = result.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n');
      if (process.env['SHOW_CALLS']) console.log(`${name} ${mode} ${at.toISOString()}\n${transcript}`);
      expect({ problems: [...s.check(result.heard), ...s.caller.failures], transcript }).toEqual({
        problems: [],
        transcript,
      });
      expect(result.errors).toEqual([]);
      // The call ran at its asked-for time: the day agent when the clinic is open, the night line when not.
      expect(await answeredBy(result.callSid)).toBe(at === MONDAY_NOON ? 'sofia' : 'mateo');
      if (name === 'book') {
        // The goal holds at any hour: an appointment after the call's time, inside the clinic's hours.
        const booked = (await env.callEvents(result.callSid)).find(
          (e) => e.type === 'ToolInvoked' && (e.data as { name: string }).name === 'book_appointment',
        )?.data as { status: string; result: { startsAt: string } } | undefined;
        expect(booked?.status).toBe('succeeded');
        const startsAt = new Date(booked?.result.startsAt ?? 0);
        expect(startsAt > at).toBe(true);
        expect(isOpen(DEMO_HOURS, 'America/New_York', startsAt)).toBe(true);
      }
    });
  });
});

describe('a night line books into opening hours only', () => {
  it.each([
    ['Sunday 09:00, for today (the clinic is closed all day)', SUNDAY_MORNING, 'Mon 08:00'],
    ['weekday 23:00, for today at 10 (already past)', MONDAY_NIGHT, 'Tue 08:00'],
  ] as const)('%s: the next opening is offered and booked', { timeout: 30_000 }, async (_l, at, expected) => {
    const s = scenario('book', { callerName: 'Ada Lovelace', when: 'today at 10 am' });
    const result = await placeInboundCall({
      baseUrl: env.test.url,
      voicePath: '/twilio/voice',
      authToken: env.authToken,
      accountSid: env.accountSid,
      from: '+15555550124',
      to: DEMO_NUMBER,
      caller: s.caller,
      demoAt: at.toISOString(),
    });
    expect(result.errors).toEqual([]);
    if (process.env['SHOW_CALLS'])
      console.log(result.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n'));
    expect([...s.check(result.heard), ...s.caller.failures]).toEqual([]);
    const tools = (await env.callEvents(result.callSid))
      .filter((e) => e.type === 'ToolInvoked')
      .map((e) => e.data as { name: string; status: string; result: Record<string, unknown> })
      .filter((t) => t.name === 'book_appointment');
    // The first try is refused with the next opening; the second books it.
    expect(tools.map((t) => t.status)).toEqual(['failed', 'succeeded']);
    const startsAt = new Date(String(tools[1]?.result['startsAt']));
    const local = new Intl.DateTimeFormat('en-US', {
      timeZone: DEMO_TIME_ZONE,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(startsAt);
    expect(local).toBe(expected);
  });
});

describe('a night line promises call backs in opening hours', () => {
  it(
    'Saturday 14:00, "call me back tomorrow": the call back is Monday 08:00, and the caller is told so',
    { timeout: 30_000 },
    async () => {
      // The Saturday before that Monday, 14:00 in New York: closed since 13:00, and closed all Sunday.
      const saturday = new Date(nextMondayInNewYork(14).getTime() - 2 * 86_400_000);
      const s = scenario('after-hours', { callerName: 'Ada Lovelace' });
      const result = await placeInboundCall({
        baseUrl: env.test.url,
        voicePath: '/twilio/voice',
        authToken: env.authToken,
        accountSid: env.accountSid,
        from: '+15555550126',
        to: DEMO_NUMBER,
        caller: s.caller,
        demoAt: saturday.toISOString(),
      });
      if (process.env['SHOW_CALLS'])
        console.log(result.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n'));
      expect(result.errors).toEqual([]);
      expect([...s.check(result.heard), ...s.caller.failures]).toEqual([]);
      const callback = (await env.callEvents(result.callSid)).find((e) => e.type === 'CallbackScheduled');
      const at = new Date(String((callback?.data as { at?: string } | undefined)?.at));
      expect(at.getTime()).toBe(nextMondayInNewYork(8).getTime());
      expect(result.heard.join(' ')).toMatch(/call you back on Monday, December \d+ at 8 AM/);
    },
  );
});

describe('a night line moves an appointment into opening hours only, and cancels', () => {
  it(
    'Sunday 09:00, "move it to today at 10": Monday 08:00 is offered and the appointment moved there',
    { timeout: 30_000 },
    async () => {
      const from = '+15555550125';
      const call = (caller: Caller, at: Date) =>
        placeInboundCall({
          baseUrl: env.test.url,
          voicePath: '/twilio/voice',
          authToken: env.authToken,
          accountSid: env.accountSid,
          from,
          to: DEMO_NUMBER,
          caller,
          demoAt: at.toISOString(),
        });
      const book = scenario('book', { callerName: 'Ada Lovelace', when: 'next Friday at 3 pm' });
      expect(book.check((await call(book.caller, SUNDAY_MORNING)).heard)).toEqual([]);
      const mover = scripted([
        expectToHear(/how can i help/i),
        say('I need to move my appointment to today at 10 am.'),
        expectToHear(/which one/i),
        say('The consultation on Friday.'),
        expectToHear(/Shall I do that\?/),
        say('Yes, please.'),
        expectToHear(
          /The earliest we are open is Monday, December \d+ at 8 AM\. Shall I move it there instead\?/,
        ),
        say('Yes, please.'),
        expectToHear(/is now on Monday/),
        say("No, that's all. Goodbye."),
        hangUp(),
      ]);
      const result = await call(mover, SUNDAY_MORNING);
      if (process.env['SHOW_CALLS'])
        console.log(result.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n'));
      expect(result.errors).toEqual([]);
      expect(mover.failures).toEqual([]);
      const moves = (await env.callEvents(result.callSid))
        .filter((e) => e.type === 'ToolInvoked')
        .map((e) => e.data as { name: string; status: string; result: Record<string, unknown> })
        .filter((t) => t.name === 'reschedule_appointment');
      expect(moves.map((t) => t.status)).toEqual(['failed', 'succeeded']);
      expect(isOpen(DEMO_HOURS, DEMO_TIME_ZONE, new Date(String(moves[1]?.result['startsAt'])))).toBe(true);

      // And cancels it, the same closed morning.
      const canceller = scripted([
        expectToHear(/how can i help/i),
        say('I need to cancel my appointment.'),
        expectToHear(/you'd like to cancel/i),
        say('Yes, please.'),
        expectToHear(/cancelled/i),
        say("No, that's all. Goodbye."),
        hangUp(),
      ]);
      const cancelled = await call(canceller, SUNDAY_MORNING);
      if (process.env['SHOW_CALLS'])
        console.log(cancelled.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n'));
      expect(cancelled.errors).toEqual([]);
      expect(canceller.failures).toEqual([]);
      expect(await answeredBy(cancelled.callSid)).toBe('mateo');
      const cancel = (await env.callEvents(cancelled.callSid)).find(
        (e) => e.type === 'ToolInvoked' && (e.data as { name: string }).name === 'cancel_appointment',
      );
      expect(cancel?.data).toMatchObject({ status: 'succeeded', result: { status: 'cancelled' } });
    },
  );
});

describe('the simulator CLI', () => {
  const cli = (args: string[]) =>
    promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', `${ROOT}media-gateway/src/simulator/cli.ts`, ...args],
      { cwd: ROOT },
    ).then(
      (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );

  it('books on a Sunday morning with --at, as the README says', { timeout: 60_000 }, async () => {
    const result = await cli([
      ...['--url', env.test.url, '--to', DEMO_NUMBER, '--scenario', 'book'],
      ...['--auth-token', env.authToken, '--account-sid', env.accountSid],
      ...['--at', SUNDAY_MORNING.toISOString(), '--time-scale', '0.01'],
    ]);
    expect(result.stdout).toContain(`as if at ${SUNDAY_MORNING.toISOString()}`);
    expect(result.stdout).toMatch(/We're closed right now; we open again on Monday at 8:00 AM/);
    expect(result.stdout).toMatch(/booked for Tuesday, December/);
    expect(result.stdout).not.toContain('problem:');
    expect(result.code).toBe(0);
  });

  it('refuses an --at that is not an ISO time with its offset', { timeout: 60_000 }, async () => {
    const result = await cli([
      ...['--url', env.test.url, '--to', DEMO_NUMBER, '--auth-token', env.authToken],
      ...['--at', 'sunday morning'],
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--at: an ISO 8601 time with its offset');
  });
});

describe('the demo clock is honoured only where it is on', () => {
  it(
    'without DEMO_CLOCK a call asking for another time runs on the real clock',
    { timeout: 60_000 },
    async () => {
      // The gateway's clock at Monday noon (the clinic open); the call asks for Monday 23:00 and is not obeyed.
      const off = await startGatewayPlatform({ now: () => MONDAY_NOON });
      try {
        const s = scenario('faq', { callerName: 'Ada Lovelace' });
        const result = await placeInboundCall({
          baseUrl: off.test.url,
          voicePath: '/twilio/voice',
          authToken: off.authToken,
          accountSid: off.accountSid,
          from: '+15555550123',
          to: DEMO_NUMBER,
          caller: s.caller,
          demoAt: MONDAY_NIGHT.toISOString(),
        });
        expect(result.errors).toEqual([]);
        const started = (await off.callEvents(result.callSid)).find((e) => e.type === 'CallStarted');
        expect(started?.data).toMatchObject({ agentId: 'sofia' });
      } finally {
        await off.stop();
      }
    },
  );

  it('DEMO_CLOCK is refused outside the embedded profile', () => {
    expect(() =>
      configFromEnv({
        DEMO_CLOCK: 'true',
        BUS: 'kafka',
        KAFKA_BROKERS: 'k:9092',
        SCHEMA_REGISTRY_URL: 'http://r',
      }),
    ).toThrow(/DEMO_CLOCK=true is for the embedded demo profile only/);
    expect(() =>
      configFromEnv({
        DEMO_CLOCK: 'true',
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'a-real-auth-token-0123',
      }),
    ).toThrow(/embedded demo profile only/);
    expect(configFromEnv({ DEMO_CLOCK: 'true' }).mediaGateway.demoClock).toBe(true);
    expect(configFromEnv({}).mediaGateway.demoClock).toBe(false);
  });
});

describe('a data directory seeded before the night line could book', () => {
  it(
    'is brought up to date at the next start: the night line speaks Spanish',
    { timeout: 30_000 },
    async () => {
      // The night line as the first seeds made it: English only, messages only.
      await env.test.platform.handler.handleTrusted(
        'UpdateAgent',
        {
          tenantId: DEMO_TENANT,
          agentId: 'mateo',
          languages: ['en'],
          systemPrompt:
            'The clinic is closed. Take a message, open a ticket and offer a callback the next working day.',
        },
        { actor: SYSTEM_ACTOR, correlationId: 'old-seed' },
      );
      expect(await seedDemo(env.test.platform, 'demo-password-1')).toBe(false);
      const s = scenario('spanish', { callerName: 'Ada Lovelace' });
      const result = await placeInboundCall({
        baseUrl: env.test.url,
        voicePath: '/twilio/voice',
        authToken: env.authToken,
        accountSid: env.accountSid,
        from: '+15555550127',
        to: DEMO_NUMBER,
        caller: s.caller,
        demoAt: MONDAY_NIGHT.toISOString(),
      });
      expect(result.errors).toEqual([]);
      expect([...s.check(result.heard), ...s.caller.failures]).toEqual([]);
      expect(await answeredBy(result.callSid)).toBe('mateo');
    },
  );
});

describe('the start output after an admin changed the hours', () => {
  it('says open or closed by the hours the tenant has now, not the seeded ones', async () => {
    const sundays = {
      weekly: [...DEMO_HOURS.weekly, { day: 'sun' as const, open: '09:00', close: '12:00' }],
    };
    const updated = await env.test.platform.handler.handleTrusted(
      'UpdateTenantSettings',
      { tenantId: DEMO_TENANT, settings: { businessHours: sundays } },
      { actor: SYSTEM_ACTOR },
    );
    expect(updated.events.map((e) => e.type)).toEqual(['TenantSettingsUpdated']);
    try {
      const clinic = await demoClinicHours(env.test.platform.store);
      expect(clinic).toEqual({ hours: sundays, timeZone: DEMO_TIME_ZONE });
      const at = new Date(SUNDAY_MORNING.getTime() + 30 * 60_000);
      const lines = demoCallLines({ now: at, url: 'http://x', dataDir: '.data', demoClock: true, clinic });
      expect(lines.join('\n')).toMatch(/demo clinic: open now \(sun 09:30 in America\/New_York\)/);
    } finally {
      await env.test.platform.handler.handleTrusted(
        'UpdateTenantSettings',
        { tenantId: DEMO_TENANT, settings: { businessHours: DEMO_HOURS } },
        { actor: SYSTEM_ACTOR },
      );
    }
  });
});
