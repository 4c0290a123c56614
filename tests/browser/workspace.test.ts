import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import {
  containsText,
  eventually,
  expectAccessible,
  fieldError,
  hasCount,
  hasText,
  isVisible,
  lacksText,
  navLinks,
  shot,
  startConsole,
  userIdOf,
  type ApiClient,
  type ConsoleHarness,
} from './harness.js';

/*
 * The agent workspace in Chromium against the real platform. The super admin plays the media gateway through
 * the command API (StartCall, RecordUtterance, RequestEscalation, QueueCall, ...); the agent does on screen what
 * a person does with an escalated call: is available, sees it arrive without reloading, joins, whispers to the
 * AI, takes over, reads the live transcript and the caller's record, and wraps the call up after it ended.
 */

const CALLER = '+15550104242';
const CALL = 'CA-ws-1';
const EARLIER = 'CA-ws-prev';
const AGENT = userIdOf('agent');

let h: ConsoleHarness;
let hubspot: Server;
const HUBSPOT_TOKEN = 'pat-na1-workspace-test-token';
/** Searches the stand-in of HubSpot's CRM search API was asked, with their bearer token. */
const hubspotSearches: { path: string; authorization: string | undefined }[] = [];

/**
 * A stand-in of HubSpot's CRM v3 search API (contacts by phone, calls by contact): the caller is a contact of the
 * tenant's HubSpot with one earlier call logged there.
 */
const startHubSpotStandIn = async (): Promise<string> => {
  hubspot = createServer((request, response) => {
    hubspotSearches.push({ path: request.url ?? '', authorization: request.headers.authorization });
    request.resume();
    response.setHeader('content-type', 'application/json');
    if (request.headers.authorization !== `Bearer ${HUBSPOT_TOKEN}`) {
      response.statusCode = 401;
      response.end(JSON.stringify({ status: 'error', category: 'INVALID_AUTHENTICATION' }));
    } else if (request.url === '/crm/v3/objects/contacts/search') {
      response.end(
        JSON.stringify({
          total: 1,
          results: [
            {
              id: '5101',
              properties: {
                firstname: 'Dana',
                lastname: 'Whitfield',
                phone: CALLER,
                company: 'Whitfield Bakery',
              },
            },
          ],
        }),
      );
    } else if (request.url === '/crm/v3/objects/calls/search') {
      response.end(
        JSON.stringify({
          total: 1,
          results: [
            {
              id: '77',
              properties: {
                hs_call_title: 'Asked about a payment plan',
                hs_timestamp: '2026-11-02T15:00:00Z',
              },
            },
          ],
        }),
      );
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  hubspot.listen(0, '127.0.0.1');
  await once(hubspot, 'listening');
  return `http://127.0.0.1:${(hubspot.address() as AddressInfo).port}`;
};

/** A command as the media gateway sends it, in the demo tenant. */
const send = async (type: string, data: Record<string, unknown>): Promise<void> => {
  const answer = await h.root.command(type, { tenantId: DEMO_TENANT, ...data });
  expect(answer.status, `${type}: ${JSON.stringify(answer.body)}`).toBe(200);
};

interface Handling {
  people: { userId: string; mode: string }[];
  inControl: string | null;
  coaching: { userId: string; note: string }[];
  wrapUps: {
    userId: string;
    tags: string[];
    resolved: boolean;
    followUp: { dueAt: string; reason: string } | null;
    note: string | null;
  }[];
  ended: boolean;
}
const handling = (client: ApiClient) =>
  client.request<Handling>('GET', `/api/calls/${CALL}/handling?tenantId=${DEMO_TENANT}`).then((r) => r.body);

beforeAll(async () => {
  h = await startConsole({
    env: { INTEGRATION_API_URLS: JSON.stringify({ hubspot: await startHubSpotStandIn() }) },
  });
  // The tenant's HubSpot knows the caller: the workspace shows their CRM record beside the platform's own.
  await send('CreateConnection', {
    connectionId: 'crm',
    name: 'HubSpot',
    settings: { kind: 'hubspot' },
    secrets: { accessToken: HUBSPOT_TOKEN },
  });
  // The caller rang before: an ended call with a ticket opened from it, their record in the workspace.
  await send('StartCall', {
    callId: EARLIER,
    direction: 'inbound',
    from: CALLER,
    to: DEMO_NUMBER,
    provider: 'simulator',
    agentId: 'sofia',
  });
  await send('RecordUtterance', {
    callId: EARLIER,
    utteranceId: 'c0',
    speaker: 'caller',
    text: 'My invoice shows two cleanings but I only came once.',
    confidence: 0.93,
    language: 'en',
  });
  await send('EndCall', { callId: EARLIER, outcome: 'resolved' });
  await send('OpenTicket', {
    ticketId: 'T-ws-1',
    subject: 'Duplicate cleaning on the invoice',
    description: 'Check the billing of the last visit.',
    priority: 'high',
    callId: EARLIER,
  });
  await eventually(
    () => h.root.request<{ total: number }>('GET', `/api/calls?tenantId=${DEMO_TENANT}&status=ended&limit=1`),
    (r) => expect(r.body.total).toBe(1),
  );
}, 240_000);

afterAll(async () => {
  await h?.close();
  hubspot?.close();
  expect(h?.pageErrors ?? []).toEqual([]);
}, 60_000);

describe('the agent workspace', () => {
  it(
    'puts the agent on duty and shows an escalated call arriving, without a reload',
    { timeout: 120_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'agent');
      expect(await navLinks(page)).toContain('Workspace');
      await page.getByRole('link', { name: 'Workspace', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Agent workspace');
      await containsText(page.getByTestId('presence-state'), 'You are away');
      await containsText(page.getByText('No calls are waiting for a person.'), 'No calls');

      await page.getByRole('button', { name: 'Available', exact: true }).click();
      await containsText(page.getByTestId('presence-state'), 'You are available');
      await containsText(page.getByTestId('available-people'), 'Alex Agent');
      const agent = await h.clientAs('agent');
      const present = await agent.request<{ available: { userId: string }[] }>('GET', '/api/presence');
      expect(present.body.available.map((p) => p.userId)).toContain(AGENT);

      // A marker on the window: gone if the page reloaded.
      await page.evaluate(() => {
        (globalThis as unknown as { workspaceMarker: number }).workspaceMarker = 42;
      });
      await send('StartCall', {
        callId: CALL,
        direction: 'inbound',
        from: CALLER,
        to: DEMO_NUMBER,
        provider: 'simulator',
        agentId: 'sofia',
      });
      await send('RecordUtterance', {
        callId: CALL,
        utteranceId: 'c0',
        speaker: 'caller',
        text: 'You charged me twice again, this is the second time, I am furious!',
        confidence: 0.91,
        language: 'en',
      });
      await send('RecordAiReply', {
        callId: CALL,
        utteranceId: 'a0',
        text: 'I am very sorry. Let me bring in someone from billing right away.',
        language: 'en',
        model: 'offline',
        promptTokens: 140,
        completionTokens: 18,
        latencyMs: 45,
      });
      await send('RequestEscalation', {
        callId: CALL,
        reason: 'negative_sentiment',
        summary: 'Repeat caller charged twice for one cleaning; wants a refund today.',
        departmentId: 'billing',
      });
      await send('QueueCall', { callId: CALL, departmentId: 'billing', queue: 'Billing desk' });

      const card = page.getByTestId('inbox').locator(`li[data-call="${CALL}"]`);
      await isVisible(card, 20_000);
      await containsText(card, CALLER);
      await containsText(card, 'Repeat caller charged twice for one cleaning; wants a refund today.');
      await containsText(card, 'Upset caller');
      await containsText(card, 'Billing desk');
      expect(
        await page.evaluate(() => (globalThis as unknown as { workspaceMarker?: number }).workspaceMarker),
      ).toBe(42);
      await shot(page, 'workspace-inbox');
      await expectAccessible(page, 'workspace inbox');
    },
  );

  it(
    'joins the call, whispers to the AI, takes over, with the live transcript and the caller’s record',
    { timeout: 120_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'agent');
      await page.goto(`${h.url}/workspace`);
      await page.getByRole('link', { name: `Open call from ${CALLER}` }).click();
      await hasText(page.getByRole('heading', { level: 1 }), `Call from ${CALLER}`);
      await containsText(page.getByTestId('call-summary'), 'wants a refund today');
      const transcript = page.getByTestId('live-transcript');
      await containsText(transcript, 'You charged me twice again');
      await containsText(page.getByTestId('caller-calls'), EARLIER);
      await containsText(page.getByTestId('caller-tickets'), 'Duplicate cleaning on the invoice');
      const crm = page.getByTestId('crm-record');
      await containsText(crm, 'Dana Whitfield');
      await containsText(crm, 'Whitfield Bakery');
      await containsText(crm, 'Asked about a payment plan');
      expect(hubspotSearches.every((s) => s.authorization === `Bearer ${HUBSPOT_TOKEN}`)).toBe(true);
      await containsText(page.getByTestId('in-control'), 'The AI');

      // Guidance needs the person on the call first.
      expect(await page.getByLabel('Guidance for the AI').isDisabled()).toBe(true);
      await page.getByLabel('Join as').selectOption('listen');
      await page.getByRole('button', { name: 'Join the call' }).click();
      await hasText(page.getByTestId('my-mode'), 'You are on the call: Listen.');
      await containsText(page.getByTestId('people'), 'Alex Agent');
      await page.getByLabel('Join as').selectOption('whisper');
      await page.getByRole('button', { name: 'Change how you are on the call' }).click();
      await hasText(page.getByTestId('my-mode'), 'You are on the call: Whisper.');

      await page
        .getByLabel('Guidance for the AI')
        .fill('Offer a full refund of the second charge and a free check-up.');
      await page.getByRole('button', { name: 'Whisper to the AI' }).click();
      await containsText(page.getByTestId('coaching'), 'Offer a full refund of the second charge');
      const agent = await h.clientAs('agent');
      const coached = await handling(agent);
      expect(coached.people).toContainEqual({ userId: AGENT, mode: 'whisper', joinedAt: expect.any(String) });
      expect(coached.coaching).toEqual([
        expect.objectContaining({
          userId: AGENT,
          note: 'Offer a full refund of the second charge and a free check-up.',
        }),
      ]);

      // The AI follows the guidance; its words show up while the call goes on.
      await send('RecordAiReply', {
        callId: CALL,
        utteranceId: 'a1',
        text: 'I can refund the second charge right away and offer you a free check-up.',
        language: 'en',
        model: 'offline',
        promptTokens: 180,
        completionTokens: 22,
        latencyMs: 50,
      });
      await containsText(transcript.locator('li').last(), 'I can refund the second charge right away');

      await page.getByRole('button', { name: 'Take over from the AI' }).click();
      await hasText(page.getByTestId('in-control'), 'Alex Agent');
      expect(await page.getByLabel('Guidance for the AI').isDisabled()).toBe(true);
      expect((await handling(agent)).inControl).toBe(AGENT);

      await send('RecordUtterance', {
        callId: CALL,
        utteranceId: 'h0',
        speaker: 'human',
        text: 'This is Alex from billing: the refund is on its way, sorry for the trouble.',
        confidence: 0.97,
        language: 'en',
      });
      await containsText(transcript.locator('li').last(), 'the refund is on its way');
      await containsText(transcript.locator('li').last(), 'Person');
      await shot(page, 'workspace-call-live');
      await expectAccessible(page, 'call in the workspace');
    },
  );

  it(
    'wraps the call up after it ended, and the call list filtered by the tag shows it',
    { timeout: 120_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'agent');
      await page.goto(`${h.url}/workspace/calls/${CALL}`);
      await hasText(page.getByRole('heading', { level: 1 }), `Call from ${CALLER}`);
      await send('EndCall', { callId: CALL, outcome: 'resolved' });
      // The page sees the end on its own and offers the wrap-up.
      await hasText(page.getByTestId('call-status'), 'Ended', 15_000);
      await isVisible(page.getByTestId('wrap-form'));

      await page.getByLabel('Tags').fill('billing, refund!');
      await page.getByRole('button', { name: 'Save the wrap-up' }).click();
      await containsText(fieldError(page, 'Tags'), 'a tag is 1-40 letters, digits, spaces');
      expect((await handling(h.root)).wrapUps).toEqual([]);

      await page.getByLabel('Tags').fill('Billing, Refund');
      await page.getByLabel('Yes', { exact: true }).check();
      await page.getByLabel('Someone must get back to the caller').check();
      await page.getByLabel('Follow up by').fill('2030-01-15T10:00');
      await page.getByLabel('What for').fill('Confirm the refund reached the card');
      await page
        .getByLabel('Note', { exact: true })
        .fill('Refunded the duplicate cleaning charge; apologised.');
      await page.getByRole('button', { name: 'Save the wrap-up' }).click();
      const result = page.getByTestId('wrap-up-result');
      await containsText(result, '#billing');
      await containsText(result, '#refund');
      await containsText(result, 'Confirm the refund reached the card');
      await containsText(result, 'Refunded the duplicate cleaning charge');

      const wrapped = await handling(h.root);
      expect(wrapped.wrapUps).toEqual([
        expect.objectContaining({
          userId: AGENT,
          tags: ['billing', 'refund'],
          resolved: true,
          followUp: {
            dueAt: new Date(2030, 0, 15, 10, 0).toISOString(),
            reason: 'Confirm the refund reached the card',
          },
          note: 'Refunded the duplicate cleaning charge; apologised.',
        }),
      ]);

      // After a reload the wrap-up is there and the form starts from it.
      await page.reload();
      await containsText(page.getByTestId('wrap-up-result'), '#refund');
      await expect.poll(() => page.getByLabel('Tags').inputValue()).toBe('billing, refund');
      expect(await page.getByLabel('What for').inputValue()).toBe('Confirm the refund reached the card');
      await shot(page, 'workspace-wrap-up');
      await expectAccessible(page, 'wrap-up');

      // The tag leads to the calls wrapped up with it.
      await eventually(
        () =>
          h.root.request<{ items: { callId: string }[] }>(
            'GET',
            `/api/calls?tenantId=${DEMO_TENANT}&tag=refund`,
          ),
        (r) => expect(r.body.items.map((c) => c.callId)).toEqual([CALL]),
      );
      await page.getByRole('link', { name: 'Calls tagged #refund' }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Calls tagged “refund”');
      const table = page.getByTestId('wrap-ups-table');
      await isVisible(table.getByRole('link', { name: CALLER }));
      await containsText(table, CALL);
      await lacksText(table, EARLIER);
      await shot(page, 'workspace-wrap-ups');
      await expectAccessible(page, 'wrapped-up calls');

      await page.getByRole('link', { name: 'Show them in the call list' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('tag')).toBe('refund');
      const calls = page.getByTestId('calls-table');
      await isVisible(calls.getByRole('link', { name: CALL, exact: true }));
      await hasCount(calls.getByRole('link', { name: EARLIER, exact: true }), 0);
      await shot(page, 'workspace-calls-by-tag');

      // The inbox no longer holds the ended call.
      await page.goto(`${h.url}/workspace`);
      await hasText(page.getByRole('heading', { level: 1 }), 'Agent workspace');
      await isVisible(page.getByText('No calls are waiting for a person.'));
    },
  );

  it('is there for supervisors too, in Spanish and dark mode', { timeout: 60_000 }, async () => {
    const page = await h.newPage();
    await h.signIn(page, 'supervisor');
    await page.goto(`${h.url}/workspace`);
    await page.getByRole('button', { name: /ES/ }).click();
    await page.getByRole('switch', { name: 'Modo oscuro' }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Espacio de trabajo');
    await isVisible(page.getByText('No hay llamadas esperando a una persona.'));
    await page.goto(`${h.url}/workspace/calls/${CALL}`);
    await hasText(page.getByRole('heading', { level: 1 }), `Llamada de ${CALLER}`);
    await containsText(page.getByTestId('wrap-up-result'), '#refund');
    await shot(page, 'workspace-call-dark-es');
    await expectAccessible(page, 'workspace call, dark, Spanish');
    await page.getByRole('button', { name: /EN/ }).click();
    await page.getByRole('switch', { name: 'Dark mode' }).click();
  });

  it(
    'keeps the workspace from a viewer and an analyst: hidden in the menu, refused by address',
    { timeout: 60_000 },
    async () => {
      for (const role of ['viewer', 'analyst']) {
        const page = await h.newPage();
        await h.signIn(page, role);
        expect(await navLinks(page)).not.toContain('Workspace');
        for (const path of ['/workspace', `/workspace/calls/${CALL}`, '/workspace/wrap-ups?tag=refund']) {
          await page.goto(`${h.url}${path}`);
          await hasText(page.getByRole('heading', { level: 1 }), 'Not allowed');
          expect(new URL(page.url()).pathname).toBe('/not-allowed');
        }
        if (role === 'viewer') {
          await shot(page, 'workspace-not-allowed-viewer');
          await expectAccessible(page, 'not allowed');
        }
        const client = await h.clientAs(role);
        expect((await client.request('GET', '/api/escalations')).status).toBe(403);
        await page.context().close();
      }
    },
  );
});
