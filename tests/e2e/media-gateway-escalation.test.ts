import { describe, expect, it } from 'vitest';
import {
  expectToHear,
  hangUp,
  say,
  scripted,
  scenario,
  sendSignedRequest,
  twilioSid,
} from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { call, clean, content, env, eventOf, typesOf, useGatewayPlatform } from '../support/gateway-calls.js';
import { apiClient, login } from '../support/platform.js';

// A call escalated to a person: queued, joined, whispered to and taken over, or taken back by the AI.
useGatewayPlatform();

describe('escalation and handoff', () => {
  it('an angry caller is queued for a person, who joins and takes over', { timeout: 60_000 }, async () => {
    const agentToken = await login(env.test.url, 'agent@demo.example', 'demo-password-1');
    const agent = apiClient(env.test.url, agentToken);
    expect(
      (await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: true })).status,
    ).toBe(200);
    try {
      const s = scenario('angry', content);
      const running = call(DEMO_NUMBER, s.caller, { timeScale: 0.05, conferenceSeconds: 100 });
      // The person answers the call from the queue once it is there.
      let callSid: string | undefined;
      for (let i = 0; i < 200 && callSid === undefined; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const queued = (await env.test.platform.store.readAll({ maxCount: 1_000_000 })).filter(
          (e) => e.type === 'CallQueued',
        );
        callSid = queued.at(-1)?.streamId.split('.')[1];
      }
      expect(callSid).toBeDefined();
      const sid = callSid ?? '';
      if (process.env['SHOW_CALLS']) console.log('queued', sid, await typesOf(sid));
      expect(
        (
          await agent.command('JoinHuman', {
            tenantId: DEMO_TENANT,
            callId: sid,
            userId: 'demo-agent',
            mode: 'barge',
          })
        ).status,
      ).toBe(200);
      expect(
        (await agent.command('TakeOverCall', { tenantId: DEMO_TENANT, callId: sid, userId: 'demo-agent' }))
          .status,
      ).toBe(200);
      // People's legs, as Twilio asks for them when a browser dials the TwiML App: let in as they joined.
      const legFor = async (identity: string, legSid = twilioSid('CA')) =>
        (
          await sendSignedRequest({
            url: `${env.test.url}/twilio/human-leg?callId=${sid}`,
            authToken: env.authToken,
            params: { CallSid: legSid, AccountSid: env.accountSid, From: `client:${identity}` },
          })
        ).body;
      const agentLeg = twilioSid('CA');
      const talking = await legFor('demo-agent', agentLeg);
      expect(talking).toContain(
        `<Conference startConferenceOnEnter="true" endConferenceOnExit="false">call-${sid}`,
      );
      expect(await legFor('demo-supervisor')).toMatch(/<Hangup\/>/); // has not joined
      const supervisor = apiClient(
        env.test.url,
        await login(env.test.url, 'supervisor@demo.example', 'demo-password-1'),
      );
      expect(
        (
          await supervisor.command('JoinHuman', {
            tenantId: DEMO_TENANT,
            callId: sid,
            userId: 'demo-supervisor',
            mode: 'whisper',
          })
        ).status,
      ).toBe(200);
      // The whisperer coaches the person talking to the caller; only that person hears them.
      expect(await legFor('demo-supervisor')).toContain(`coach="${agentLeg}"`);
      const result = await running;
      if (process.env['SHOW_CALLS']) console.log(result.transcript.map((l) => JSON.stringify(l)).join('\n'));
      expect(result.errors).toEqual([]);
      expect(result.heard.join(' ')).toMatch(/joining the call/);
      const types = await typesOf(sid);
      expect(types).toEqual(
        expect.arrayContaining(['EscalationRequested', 'CallQueued', 'HumanJoined', 'HumanTookOver']),
      );
      const escalation = await eventOf(sid, 'EscalationRequested');
      expect(escalation?.data).toMatchObject({ summary: expect.stringContaining('charged me twice') });
      // The call left the queue for its conference through Twilio's REST API.
      const update = env.carrier.requests.find(
        (r) => r.path.endsWith(`/Calls/${sid}.json`) && r.method === 'POST',
      );
      expect(update?.params['Twiml']?.[0]).toContain(`<Conference`);
      const leg = await fetch(`${env.test.url}/twilio/human-leg?callId=${sid}`, { method: 'POST' });
      expect(leg.status).toBe(403); // unsigned: only the TwiML App (Twilio) may ask
    } finally {
      await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: false });
    }
  });

  it(
    'nobody free within the wait: the AI takes the call back and takes a message',
    { timeout: 60_000 },
    async () => {
      const agentToken = await login(env.test.url, 'agent@demo.example', 'demo-password-1');
      const agent = apiClient(env.test.url, agentToken);
      await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: true });
      try {
        const result = await call(
          DEMO_NUMBER,
          scripted([
            expectToHear(/Sofia/),
            say('I want to talk to a person please'),
            expectToHear(/message/i, { attempts: 30 }),
            say('Yes. Tell them Ana Lopez called about her invoice.'),
            expectToHear(/.+/),
            say('No, goodbye.'),
            hangUp(),
          ]),
          { timeScale: 0.002 },
        );
        clean(result);
        const types = await typesOf(result.callSid);
        expect(types).toEqual(expect.arrayContaining(['CallQueued', 'MessageTaken']));
        expect(types).not.toContain('HumanJoined');
      } finally {
        await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: false });
      }
    },
  );
});
