import { describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { decodeMachineVoice, pcmToMulaw, parseWav } from '@ccp/media-gateway';
import { env, eventOf, typesOf, useGatewayPlatform } from '../support/gateway-calls.js';
import { apiClient, login } from '../support/platform.js';

// Outbound calls placed through the API (a person, an answering machine, a busy line), and voice samples.
useGatewayPlatform();

describe('outbound calls', () => {
  const admin = async () =>
    apiClient(env.test.url, await login(env.test.url, 'admin@demo.example', 'demo-password-1'));

  it(
    'a lead who answers talks with the agent; the call is recorded as outbound and answered',
    { timeout: 30_000 },
    async () => {
      const api = await admin();
      const placed = await api.request<{ callId: string }>('POST', '/api/calls/outbound', {
        tenantId: DEMO_TENANT,
        agentId: 'lucas',
        to: '+15551112222',
        from: DEMO_NUMBER,
        leadId: 'lead-42',
        campaignId: 'spring-recall',
      });
      expect(placed.status).toBe(201);
      const result = await env.carrier.outboundResult(placed.body.callId);
      expect(result.heard[0]).toMatch(/Lucas/);
      const types = await typesOf(placed.body.callId);
      expect(types.slice(0, 3)).toEqual(['CallStarted', 'CallAnswered', 'AiReplied']);
      expect((await eventOf(placed.body.callId, 'CallStarted'))?.data).toMatchObject({
        direction: 'outbound',
        to: '+15551112222',
        agentId: 'lucas',
        leadId: 'lead-42',
        campaignId: 'spring-recall',
      });
      expect(placed.body).toMatchObject({ agentId: 'lucas', leadId: 'lead-42', campaignId: 'spring-recall' });
      expect((await eventOf(placed.body.callId, 'CallAnswered'))?.data).toMatchObject({
        answeredBy: 'human',
      });
      expect(types).toContain('CallEnded');
    },
  );

  it('an answering machine gets the agent’s voicemail', { timeout: 30_000 }, async () => {
    const api = await admin();
    const placed = await api.request<{ callId: string }>('POST', '/api/calls/outbound', {
      tenantId: DEMO_TENANT,
      agentId: 'lucas',
      to: '+15553334444',
      from: DEMO_NUMBER,
    });
    expect(placed.status).toBe(201);
    await env.carrier.outboundResult(placed.body.callId);
    expect((await eventOf(placed.body.callId, 'VoicemailLeft'))?.data).toMatchObject({
      text: expect.stringContaining('Lucas'),
    });
    expect((await eventOf(placed.body.callId, 'CallEnded'))?.data).toMatchObject({ outcome: 'voicemail' });
  });

  it('a busy line ends the call as busy', { timeout: 30_000 }, async () => {
    const api = await admin();
    const placed = await api.request<{ callId: string }>('POST', '/api/calls/outbound', {
      tenantId: DEMO_TENANT,
      agentId: 'lucas',
      to: '+15555556666',
      from: DEMO_NUMBER,
    });
    await env.carrier.outboundResult(placed.body.callId);
    expect((await eventOf(placed.body.callId, 'CallEnded'))?.data).toMatchObject({ outcome: 'busy' });
  });

  it('refuses bad requests and other tenants, placing nothing', async () => {
    const api = await admin();
    const before = env.carrier.requests.length;
    expect(
      (
        await api.request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'lucas',
          to: 'tomorrow',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'ghost',
          to: '+15551112222',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.request('POST', '/api/calls/outbound', {
          tenantId: 'other-tenant',
          agentId: 'lucas',
          to: '+15551112222',
        })
      ).status,
    ).toBe(403);
    const viewer = apiClient(
      env.test.url,
      await login(env.test.url, 'viewer@demo.example', 'demo-password-1'),
    );
    expect(
      (
        await viewer.request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'lucas',
          to: '+15551112222',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await apiClient(env.test.url).request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'lucas',
          to: '+15551112222',
        })
      ).status,
    ).toBe(401);
    expect(env.carrier.requests.length).toBe(before);
  });

  it('plays an agent’s voice as a sample: the calls’ own text-to-speech, as WAV', async () => {
    const token = await login(env.test.url, 'admin@demo.example', 'demo-password-1');
    const sample = await fetch(`${env.test.url}/api/voices/sample?voice=Kore&language=en`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sample.status).toBe(200);
    expect(sample.headers.get('content-type')).toBe('audio/wav');
    const wav = parseWav(new Uint8Array(await sample.arrayBuffer()));
    expect(wav.sampleRate).toBe(8000);
    // Offline, the voice is the machine voice the simulated callers understand: decode what it said.
    expect(decodeMachineVoice(pcmToMulaw(wav.samples))?.text).toBe(
      'Hello, thank you for calling. How can I help you today?',
    );
    const bad = await fetch(`${env.test.url}/api/voices/sample?voice=Siri`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
    const viewer = await login(env.test.url, 'viewer@demo.example', 'demo-password-1');
    const refused = await fetch(`${env.test.url}/api/voices/sample?voice=Kore`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(refused.status).toBe(403);
    expect((await fetch(`${env.test.url}/api/voices/sample?voice=Kore`)).status).toBe(401);
  });
});
