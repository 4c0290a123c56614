import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { placeInboundCall } from './phone-call.js';
import { scenario, SCENARIO_NAMES, type ScenarioName } from './scenarios.js';
import type { TranscriptLine } from './transcript.js';

/**
 * Places one simulated call to a running platform and prints the conversation as it goes:
 *
 *   npx tsx media-gateway/src/simulator/cli.ts --url http://127.0.0.1:3000 --to +15550100 --from +15550199 \
 *     --auth-token <token> --scenario book [--media]
 *
 * Against the embedded profile, `--data-dir .data` can replace --auth-token: the local Twilio account the
 * platform keeps there (twilio-local.json) gives the auth token and account SID. --from defaults to a test number.
 *
 * --at <ISO time> places the call "as if" at that instant (e.g. 2026-12-13T09:00:00-05:00, a Sunday morning in
 * New York): a signed DemoAt parameter that only a platform started with DEMO_CLOCK=true (npm start's embedded
 * demo) honours, for that call's routing, business hours and bookings. Pick a time ahead of now so that
 * "tomorrow at 3 pm" is not in the past for the platform.
 *
 * --media plays Media Streams in real time (a frame every 20 ms, the agent heard at speaking speed); without it
 * stream audio goes as fast as the platform takes it. Pauses and hold music always run at real speed here.
 */

const LocalAccount = z.object({ accountSid: z.string(), authToken: z.string() });

const usage = `usage: cli.ts --url <platform base URL> --to <number> [--from <number>] (--auth-token <token> | --data-dir <dir>)
              --scenario ${SCENARIO_NAMES.join('|')} [--media]
              [--voice-path /twilio/voice] [--status-path /twilio/status] [--account-sid AC...]
              [--name "Ada Lovelace"] [--question "..."] [--service "..."] [--when "..."] [--message "..."]
              [--digit 1] [--choice appointments] [--time-scale 1] [--at 2026-12-13T09:00:00-05:00]`;

const At = z.iso.datetime({ offset: true });

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      to: { type: 'string' },
      from: { type: 'string', default: '+15555550123' },
      'data-dir': { type: 'string' },
      'auth-token': { type: 'string', default: process.env['TWILIO_AUTH_TOKEN'] },
      'account-sid': { type: 'string' },
      scenario: { type: 'string', default: 'faq' },
      media: { type: 'boolean', default: false },
      'voice-path': { type: 'string', default: '/twilio/voice' },
      'status-path': { type: 'string', default: '/twilio/status' },
      name: { type: 'string', default: 'Ada Lovelace' },
      question: { type: 'string' },
      service: { type: 'string' },
      when: { type: 'string' },
      message: { type: 'string' },
      digit: { type: 'string' },
      choice: { type: 'string' },
      'time-scale': { type: 'string', default: '1' },
      at: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const name = values.scenario as ScenarioName;
  const accountFile =
    values['data-dir'] !== undefined ? join(values['data-dir'], 'twilio-local.json') : undefined;
  if (accountFile !== undefined && existsSync(accountFile)) {
    const account = LocalAccount.parse(JSON.parse(readFileSync(accountFile, 'utf8')));
    values['auth-token'] ??= account.authToken;
    values['account-sid'] ??= account.accountSid;
  }
  if (
    values.help ||
    !values.url ||
    !values.to ||
    !values.from ||
    !values['auth-token'] ||
    !SCENARIO_NAMES.includes(name)
  ) {
    console.error(usage);
    return 2;
  }
  if (values.at !== undefined && !At.safeParse(values.at).success) {
    console.error(
      `--at: an ISO 8601 time with its offset, e.g. 2026-12-13T09:00:00-05:00 (got ${values.at})`,
    );
    return 2;
  }
  const chosen = scenario(name, {
    callerName: values.name,
    ...(values.question !== undefined && { question: values.question }),
    ...(values.service !== undefined && { service: values.service }),
    ...(values.when !== undefined && { when: values.when }),
    ...(values.message !== undefined && { message: values.message }),
    ...(values.digit !== undefined && { menuDigit: values.digit }),
    ...(values.choice !== undefined && { menuChoice: values.choice }),
  });
  const print = (line: TranscriptLine) => {
    const at = `${(line.at / 1000).toFixed(1).padStart(6)}s`;
    if (line.speaker === 'agent') {
      const what = line.playUrl !== undefined ? `[plays ${line.playUrl}]` : line.text;
      console.log(`${at}  agent  ${what}${line.interrupted ? ' [cut off]' : ''}`);
    } else {
      console.log(`${at}  ${line.speaker.padEnd(6)} ${line.text}`);
    }
  };
  console.log(
    `calling ${values.to} from ${values.from} at ${values.url} — scenario ${name}` +
      (values.at !== undefined ? ` — as if at ${values.at} (needs DEMO_CLOCK=true)` : ''),
  );
  const result = await placeInboundCall({
    baseUrl: values.url,
    voicePath: values['voice-path'],
    statusCallbackPath: values['status-path'],
    authToken: values['auth-token'],
    from: values.from,
    to: values.to,
    caller: chosen.caller,
    timeScale: Number(values['time-scale']),
    media: { realtime: values.media },
    onLine: print,
    ...(values.at !== undefined && { demoAt: new Date(values.at).toISOString() }),
    ...(values['account-sid'] !== undefined && { accountSid: values['account-sid'] }),
  });
  const problems = [...chosen.check(result.heard), ...result.failures];
  console.log(
    `\ncall ${result.callSid}: ${result.status}, ${result.durationSeconds}s, ended by ${result.endedBy}`,
  );
  for (const error of result.errors)
    console.log(`error (${error.kind}) ${error.url ?? ''}: ${error.message}`);
  for (const stream of result.streams) {
    const ms = stream.timings.map((t) => Math.round(t.fromSpeechEndMs));
    console.log(
      `media stream ${stream.streamSid}: ${stream.clears} clear(s), reply after speech end: ${ms.join(', ')} ms`,
    );
  }
  for (const problem of problems) console.log(`problem: ${problem}`);
  return result.errors.length > 0 || problems.length > 0 ? 1 : 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
