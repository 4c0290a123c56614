import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { content, CALLER, DAY } from '../support/gateway-calls.js';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { parsePrometheusText, type MetricFamily } from '../support/prometheus-text.js';

/*
 * GET /metrics on the whole platform (command API, stream processors, query API, media gateway) after real
 * traffic: a caller on a Media Streams call, commands refused and accepted, a read, a call queued for a person
 * who joins it, two SMS through the Twilio stand-in (the local carrier), one of which it refuses. The exposition is parsed as
 * Prometheus reads it; names, types and help follow Prometheus's conventions, and no label carries a call or a
 * tenant. A second platform in the same process keeps its own registry.
 */

const TOKEN = 'scrape-token-0123456789abcdef';
let env: GatewayPlatform;
let families: Map<string, MetricFamily>;
let callSid: string;
const QUEUED_CALL = 'CAmetricsqueued';

const scheduleSms = (messageId: string) =>
  env.test.platform.handler.handleTrusted(
    'ScheduleMessage',
    {
      tenantId: DEMO_TENANT,
      messageId,
      purpose: 'reminder',
      language: 'en',
      channel: 'sms',
      to: '+15557700001',
      from: DEMO_NUMBER,
      body: `Reminder ${messageId}: your cleaning is tomorrow at 10:00.`,
      dueAt: new Date().toISOString(),
    },
    { actor: SYSTEM_ACTOR },
  );

/** `null`: no Authorization header at all. */
const scrape = async (url: string, token: string | null = TOKEN) =>
  fetch(`${url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

const parsed = async (url: string): Promise<Map<string, MetricFamily>> => {
  const response = await scrape(url);
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
};

const valueOf = (name: string, labels: Record<string, string> = {}): number => {
  const family = families.get(name.replace(/_(count|sum|bucket)$/, '')) ?? families.get(name);
  const samples = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return samples.reduce((sum, s) => sum + s.value, 0);
};

/** Node's process metrics keep prom-client's standard names (process_*, nodejs_*): dashboards know them. */
const isDefault = (name: string) => name.startsWith('process_') || name.startsWith('nodejs_');

beforeAll(async () => {
  env = await startGatewayPlatform({ now: () => DAY, readSide: true, env: { METRICS_TOKEN: TOKEN } });
  const faq = scenario('faq', content);
  const call = await env.call({
    voicePath: '/twilio/voice?mode=stream',
    from: CALLER,
    to: DEMO_NUMBER,
    caller: faq.caller,
    media: { realtime: false, endSilenceMs: 600 },
  });
  expect(call.errors).toEqual([]);
  callSid = call.callSid;
  const root = apiClient(env.test.url, await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  // Refused: a command nobody has (its name must not become a label), and one with a bad body.
  expect((await root.command('NoSuchCommandAtAll', { tenantId: DEMO_TENANT })).status).toBe(404);
  expect((await root.command('CreateDepartment', { tenantId: DEMO_TENANT })).status).toBe(400);
  expect((await root.request('GET', `/api/calls/${callSid}?tenantId=${DEMO_TENANT}`)).status).toBe(200);
  // Paths no route declares, holding the call's id: their label must not (every label is checked below).
  expect((await fetch(`${env.test.url}/api/no-such-route/${callSid}`)).status).toBe(404);
  expect((await fetch(`${env.test.url}/console-page/${callSid}`)).status).toBeLessThan(500);
  // A call queued for a person, who joins it (barge): one queue wait, answered.
  const onQueuedCall = async (type: string, data: Record<string, unknown>) => {
    const answer = await root.command(type, { tenantId: DEMO_TENANT, callId: QUEUED_CALL, ...data });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  await onQueuedCall('StartCall', {
    direction: 'inbound',
    from: '+15550001111',
    to: DEMO_NUMBER,
    provider: 'simulator',
    agentId: 'sofia',
  });
  await onQueuedCall('RequestEscalation', { reason: 'caller_request', summary: 'Wants a person.' });
  await onQueuedCall('QueueCall', { departmentId: 'support', queue: 'Support' });
  await onQueuedCall('JoinHuman', { userId: 'demo-agent', mode: 'barge' });
  await onQueuedCall('EndCall', { outcome: 'resolved' });
  // Two messages: the stand-in refuses the first create request (Twilio's 400), takes the next.
  env.carrier.messages.failWith({ status: 400, times: 1 });
  await scheduleSms('metrics-sms-1');
  await scheduleSms('metrics-sms-2');
  // The read side has the call: the processors handled its events; the messages are settled.
  for (let i = 0; i < 150; i += 1) {
    families = await parsed(env.test.url);
    if (
      valueOf('ccp_processor_events_total') > 0 &&
      valueOf('ccp_calls_active') === 0 &&
      valueOf('ccp_deliveries_total', { kind: 'message' }) >= 2 &&
      valueOf('ccp_queue_wait_seconds_count') >= 1
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Once more: a scrape is counted once it was answered, so this one shows the ones before it.
  families = await parsed(env.test.url);
  if (process.env['SHOW_METRICS']) console.log(await (await scrape(env.test.url)).text());
}, 120_000);
afterAll(() => env?.stop());

describe('GET /metrics', () => {
  it('answers only the scrape token: 401 without it, with a wrong one or with a super admin session', async () => {
    const none = await scrape(env.test.url, null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect((await scrape(env.test.url, `${TOKEN}x`)).status).toBe(401);
    expect((await scrape(env.test.url, TOKEN.slice(0, -1))).status).toBe(401);
    const session = await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
    expect((await scrape(env.test.url, session)).status).toBe(401);
    const post = await fetch(`${env.test.url}/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(post.status).toBe(405);
    const ok = await scrape(env.test.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('names, types and help follow Prometheus conventions', () => {
    expect(families.size).toBeGreaterThan(30);
    for (const family of families.values()) {
      expect(family.help, family.name).not.toBe('');
      expect(family.type, family.name).not.toBe('untyped');
      if (!isDefault(family.name)) expect(family.name).toMatch(/^ccp_[a-z0-9_]+$/);
      if (family.type === 'counter') expect(family.name).toMatch(/_total$/);
      // (prom-client's own nodejs_active_resources_total is a gauge: its name is not ours to change.)
      else if (!isDefault(family.name)) expect(family.name).not.toMatch(/_total$/);
      // Base units only: seconds and bytes, never milliseconds or kilobytes.
      expect(family.name).not.toMatch(/_(ms|milliseconds|minutes|kb|mb|kilobytes|megabytes)(_|$)/);
      if (family.type === 'histogram') expect(family.name).toMatch(/_(seconds|bytes)$/);
    }
  });

  it('no label names a call, a tenant or a raw URL', () => {
    for (const family of families.values()) {
      for (const sample of family.samples) {
        for (const [label, value] of Object.entries(sample.labels)) {
          expect(label, family.name).not.toMatch(/^(call|tenant|user|session|contact|lead)(_?(id|sid))?$/i);
          expect(value, `${family.name}{${label}}`).not.toContain(callSid);
          expect(value, `${family.name}{${label}}`).not.toContain(DEMO_TENANT);
          expect(value, `${family.name}{${label}}`).not.toContain('NoSuchCommandAtAll');
        }
      }
    }
    const routes = new Set(families.get('ccp_http_requests_total')?.samples.map((s) => s.labels['route']));
    expect(routes).toContain('/api/calls/:callId');
    expect(routes).toContain('/metrics');
    expect(routes).toContain('/twilio/voice');
    for (const route of routes) expect(route).not.toMatch(/\?|CA[0-9a-f]{32}/);
  });

  it('counts what happened: requests, commands by outcome, appends, processors, the call and its turns', () => {
    expect(valueOf('ccp_http_requests_total', { route: '/api/calls/:callId', status: '200' })).toBe(1);
    // The command API refuses a type nobody has before the handler: a 404 of the route, no command.
    expect(valueOf('ccp_http_requests_total', { route: '/api/commands/:type', status: '404' })).toBe(1);
    expect(
      valueOf('ccp_commands_total', { type: 'CreateDepartment', caller: 'api', outcome: 'refused' }),
    ).toBe(1);
    expect(
      valueOf('ccp_commands_total', { type: 'StartCall', caller: 'platform', outcome: 'accepted' }),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf('ccp_command_refusals_total', { code: 'VALIDATION_FAILED' })).toBeGreaterThanOrEqual(1);
    expect(valueOf('ccp_command_duration_seconds_count')).toBeGreaterThan(10);
    expect(valueOf('ccp_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(10);
    expect(valueOf('ccp_event_store_appended_events_total')).toBeGreaterThan(10);
    expect(valueOf('ccp_processor_events_total', { processor: 'call-facts' })).toBeGreaterThan(0);
    expect(families.get('ccp_processor_lag_seconds')?.samples.length).toBeGreaterThan(0);
    expect(valueOf('ccp_processor_position', { processor: 'call-facts' })).toBeGreaterThan(0);
    expect(valueOf('ccp_calls_active')).toBe(0);
    expect(valueOf('ccp_voice_first_audio_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(valueOf('ccp_voice_model_request_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    for (const name of [
      'ccp_provider_fallbacks_total',
      'ccp_provider_errors_total',
      'ccp_deliveries_total',
      'ccp_integration_delivery_attempts_total',
      'ccp_integration_deliveries_pending',
      'ccp_messages_pending',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
  });
});

/** The family `name`, which must have that type, and its samples' label names (`le` aside). */
const labelsOf = (name: string, type: MetricFamily['type']): Set<string> => {
  const family = families.get(name);
  expect(family?.type, name).toBe(type);
  return new Set(family?.samples.flatMap((s) => Object.keys(s.labels)).filter((l) => l !== 'le'));
};

describe('the rest of the picture (issue 18)', () => {
  it("splits a Media Streams turn's wait: speech-to-text, the model (first token, tokens), text-to-speech, the rest", () => {
    const turns = valueOf('ccp_voice_first_audio_seconds_count');
    for (const name of [
      'ccp_voice_stt_seconds',
      'ccp_voice_turn_llm_seconds',
      'ccp_voice_tts_first_byte_seconds',
      'ccp_voice_turn_overhead_seconds',
    ]) {
      expect(labelsOf(name, 'histogram'), name).toEqual(new Set());
      // One observation per turn answered, as the first audio.
      expect(valueOf(`${name}_count`), name).toBeGreaterThanOrEqual(1);
      expect(valueOf(`${name}_count`), name).toBeLessThanOrEqual(turns);
    }
    // The parts add up to no more than the whole wait: what is left is the platform's own time.
    const parts =
      valueOf('ccp_voice_stt_seconds_sum') +
      valueOf('ccp_voice_turn_llm_seconds_sum') +
      valueOf('ccp_voice_tts_first_byte_seconds_sum') +
      valueOf('ccp_voice_turn_overhead_seconds_sum');
    expect(parts).toBeGreaterThan(0);
    expect(labelsOf('ccp_voice_llm_first_token_seconds', 'histogram')).toEqual(new Set());
    expect(valueOf('ccp_voice_llm_first_token_seconds_count')).toBeGreaterThanOrEqual(turns);
    expect(labelsOf('ccp_voice_llm_tokens_total', 'counter')).toEqual(new Set(['type']));
    // The offline engine counts its prompt and reply as a model would.
    expect(valueOf('ccp_voice_llm_tokens_total', { type: 'input' })).toBeGreaterThan(0);
    expect(valueOf('ccp_voice_llm_tokens_total', { type: 'output' })).toBeGreaterThan(0);
  });

  it('times the read store by operation, never by statement', () => {
    expect(labelsOf('ccp_read_store_query_duration_seconds', 'histogram')).toEqual(
      new Set(['operation', 'outcome']),
    );
    const operations = new Set(
      families.get('ccp_read_store_query_duration_seconds')?.samples.map((s) => s.labels['operation']),
    );
    expect(operations).toEqual(new Set(['query', 'insert', 'command']));
    expect(
      valueOf('ccp_read_store_query_duration_seconds_count', { operation: 'query', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(
      valueOf('ccp_read_store_query_duration_seconds_count', { operation: 'insert', outcome: 'ok' }),
    ).toBeGreaterThan(0);
  });

  it("gives each processor's lag in events, and no Kafka relay lag on the embedded bus", () => {
    expect(labelsOf('ccp_processor_lag_events', 'gauge')).toEqual(new Set(['processor']));
    const lagging = new Set(
      families.get('ccp_processor_lag_events')?.samples.map((s) => s.labels['processor']),
    );
    const handling = new Set(
      families.get('ccp_processor_events_total')?.samples.map((s) => s.labels['processor']),
    );
    expect(lagging).toEqual(handling);
    for (const sample of families.get('ccp_processor_lag_events')?.samples ?? []) {
      expect(sample.value).toBeGreaterThanOrEqual(0);
    }
    expect(families.has('ccp_kafka_relay_lag_events')).toBe(false);
  });

  it('measures the wait in the queue for a person, by how it ended', () => {
    expect(labelsOf('ccp_queue_wait_seconds', 'histogram')).toEqual(new Set(['outcome']));
    expect(valueOf('ccp_queue_wait_seconds_count', { outcome: 'answered' })).toBe(1);
  });

  it('counts deliveries by kind, channel and outcome, and provider errors by port, provider and kind', () => {
    expect(labelsOf('ccp_deliveries_total', 'counter')).toEqual(new Set(['kind', 'channel', 'outcome']));
    expect(valueOf('ccp_deliveries_total', { kind: 'message', channel: 'sms', outcome: 'delivered' })).toBe(
      1,
    );
    expect(valueOf('ccp_deliveries_total', { kind: 'message', channel: 'sms', outcome: 'failed' })).toBe(1);
    expect(labelsOf('ccp_provider_errors_total', 'counter')).toEqual(new Set(['port', 'provider', 'kind']));
    expect(valueOf('ccp_provider_errors_total', { port: 'sms', provider: 'twilio', kind: 'client' })).toBe(1);
  });
});

describe('two platforms in one process', () => {
  let other: TestPlatform;
  let dark: TestPlatform;
  beforeAll(async () => {
    other = await startTestPlatform(undefined, { env: { METRICS_TOKEN: 'another-token-0123456789' } });
    dark = await startTestPlatform();
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
    await dark?.stop();
  });

  it('each serves its own registry', async () => {
    const response = await fetch(`${other.url}/metrics`, {
      headers: { authorization: 'Bearer another-token-0123456789' },
    });
    expect(response.status).toBe(200);
    const own = parsePrometheusText(await response.text());
    // This platform ran no call and no processor: none of the first platform's figures show here.
    expect(own.get('ccp_calls_active')).toBeUndefined();
    expect(own.get('ccp_processor_events_total')).toBeUndefined();
    const calls = own
      .get('ccp_http_requests_total')
      ?.samples.filter((s) => s.labels['route'] === '/api/calls/:callId');
    expect(calls ?? []).toEqual([]);
    // The first platform's token does not open the second's.
    expect((await scrape(other.url)).status).toBe(401);
  });

  it('without METRICS_TOKEN the endpoint is off: 404, whatever is sent', async () => {
    const off = await scrape(dark.url);
    expect(off.status).toBe(404);
    expect(await off.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await scrape(dark.url, null)).status).toBe(404);
  });
});
