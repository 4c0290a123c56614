/**
 * The benchmark's callers, in a worker thread so that the simulated phone network does not share the platform's
 * event loop. Each call dials the demo line, asks a question answered from the knowledge base, asks a second
 * one and says goodbye; over gather webhooks or a Media Stream.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  say,
  scripted,
  expectToHear,
  hangUp,
  type Caller,
  placeInboundCall,
  type CallResult,
} from '@ccp/media-gateway/simulator';

interface Job {
  readonly baseUrl: string;
  readonly authToken: string;
  readonly accountSid: string;
  readonly to: string;
  readonly calls: number;
  readonly concurrency: number;
  readonly mode: 'gather' | 'stream';
  /** 1: callers take as long to speak as people do, and audio flows at 20 ms a frame; 0: no pauses at all. */
  readonly pace: 0 | 1;
}

const job = workerData as Job;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** At a caller's pace, each turn comes 2-5 s after the last: people listen, think and speak. */
const paced = (inner: Caller): Caller =>
  job.pace === 0
    ? inner
    : {
        failures: inner.failures,
        next: async (context) => {
          await sleep(2000 + Math.random() * 3000);
          return inner.next(context);
        },
      };

const caller = () =>
  scripted([
    expectToHear(/How can I help/),
    say('Do you accept Cigna insurance?'),
    expectToHear(/Cigna/),
    say('And what are your opening hours on Saturday?'),
    expectToHear(/Saturday/),
    say('Thank you, goodbye.'),
    hangUp(),
  ]);

const one = (n: number): Promise<CallResult> =>
  placeInboundCall({
    baseUrl: job.baseUrl,
    voicePath: job.mode === 'stream' ? '/twilio/voice?mode=stream' : '/twilio/voice',
    statusCallbackPath: '/twilio/status',
    authToken: job.authToken,
    accountSid: job.accountSid,
    from: `+1555${String(2_000_000 + n).padStart(7, '0')}`,
    to: job.to,
    caller: paced(caller()),
    timeScale: job.pace,
    media: { realtime: job.pace === 1, endSilenceMs: 400, agentIdleMs: 30 },
  });

const started = performance.now();
const webhookMs: number[] = [];
const mediaMs: number[] = [];
let failed = 0;
let next = 0;
const lane = async () => {
  // At a caller's pace, calls arrive spread over the first five seconds rather than all in the same instant.
  if (job.pace === 1) await sleep(Math.random() * 5000);
  while (next < job.calls) {
    const n = next++;
    const result = await one(n);
    const answered =
      result.heard.some((line) => /Cigna/.test(line)) && result.heard.some((line) => /Saturday/.test(line));
    if (result.errors.length > 0 || result.failures.length > 0 || !answered) failed += 1;
    for (const exchange of result.exchanges) if (exchange.status === 200) webhookMs.push(exchange.durationMs);
    for (const stream of result.streams) for (const t of stream.timings) mediaMs.push(t.fromSpeechEndMs);
  }
};
await Promise.all(Array.from({ length: job.concurrency }, lane));
parentPort?.postMessage({ webhookMs, mediaMs, failed, seconds: (performance.now() - started) / 1000 });
