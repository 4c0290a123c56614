import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { apiClient } from '../support/platform.js';
import { as, eventually, test, tokens, useQueryPlatform, validate } from '../support/query-platform.js';

// The agent workspace: the escalation inbox, joining and taking over, wrap-up, the caller's record.
useQueryPlatform();

describe('the agent workspace', () => {
  const CALLER = '+15550009999';
  const call = async (callId: string, type: string, data: Record<string, unknown> = {}, role = 'agent') => {
    const response = await as(role).command(type, { tenantId: DEMO_TENANT, callId, ...data });
    expect(response.status, `${type} ${JSON.stringify(response.body)}`).toBe(200);
  };
  const start = async (callId: string) => {
    const root = apiClient(test.url, tokens.get('super_admin'));
    const started = await root.command('StartCall', {
      tenantId: DEMO_TENANT,
      callId,
      direction: 'inbound',
      from: CALLER,
      to: '+15550100001',
      provider: 'simulator',
      agentId: 'sofia',
    });
    expect(started.status).toBe(200);
  };
  type Inbox = {
    items: {
      call: { callId: string; from: string };
      waitingSince: string | null;
      handling: { escalation: { summary: string } | null; people: { userId: string; mode: string }[] };
    }[];
  };

  it(
    'an escalated call waits in the inbox with the AI’s summary; joined, coached and taken over, then gone once ended',
    { timeout: 30_000 },
    async () => {
      await start('CA-w-1');
      await call('CA-w-1', 'RequestEscalation', {
        reason: 'caller_request',
        summary: 'Caller wants a refund for a double charge on the March invoice.',
      });
      // The media gateway queues calls (as the platform); people take them from there.
      await call('CA-w-1', 'QueueCall', { departmentId: 'billing', queue: 'billing' }, 'super_admin');
      await eventually(async () => {
        const inbox = await as('agent').request<Inbox>('GET', '/api/escalations');
        expect(validate('escalationInbox', 200, inbox.body)).toEqual([]);
        const item = inbox.body.items.find((i) => i.call.callId === 'CA-w-1');
        expect(item?.handling.escalation?.summary).toMatch(/double charge/);
        expect(item?.waitingSince).not.toBeNull();
        expect(item?.call.from).toBe(CALLER);
      });
      expect((await as('viewer').request('GET', '/api/escalations')).status).toBe(403);
      expect((await as('analyst').request('GET', '/api/escalations')).status).toBe(403);

      await call('CA-w-1', 'JoinHuman', { userId: 'demo-agent', mode: 'listen' });
      await call('CA-w-1', 'CoachAi', {
        userId: 'demo-agent',
        note: 'Offer the refund to the card on file.',
      });
      await call('CA-w-1', 'TakeOverCall', { userId: 'demo-agent' });
      const handling = await as('agent').request<{ inControl: string; coaching: { note: string }[] }>(
        'GET',
        '/api/calls/CA-w-1/handling',
      );
      expect(validate('callHandling', 200, handling.body)).toEqual([]);
      expect(handling.body.inControl).toBe('demo-agent');
      expect(handling.body.coaching.map((c) => c.note)).toEqual(['Offer the refund to the card on file.']);

      // Wrapping up waits for the end.
      const early = await as('agent').command('WrapUpCall', {
        tenantId: DEMO_TENANT,
        callId: 'CA-w-1',
        userId: 'demo-agent',
        tags: ['refund'],
        resolved: true,
      });
      expect([early.status, (early.body as { error: { code: string } }).error.code]).toEqual([
        422,
        'CALL_NOT_ENDED',
      ]);
      await call('CA-w-1', 'EndCall', { outcome: 'resolved' });
      const inbox = await as('agent').request<Inbox>('GET', '/api/escalations');
      expect(inbox.body.items.map((i) => i.call.callId)).not.toContain('CA-w-1');
    },
  );

  it('wraps a call up with tags, resolution, a follow-up and a note; the call list finds it by tag', async () => {
    const bad = await as('agent').command('WrapUpCall', {
      tenantId: DEMO_TENANT,
      callId: 'CA-w-1',
      userId: 'demo-agent',
      tags: ['<b>refund</b>'],
      resolved: true,
    });
    expect(bad.status).toBe(400);
    await call('CA-w-1', 'WrapUpCall', {
      userId: 'demo-agent',
      tags: ['Refund', 'billing error'],
      resolved: false,
      followUp: { dueAt: '2030-01-02T10:00:00.000Z', reason: 'Confirm the refund reached the card' },
      note: 'Refund issued by phone; card ends 4242.',
    });
    await eventually(async () => {
      const tagged = await as('supervisor').request<{
        items: { callId: string; tags: string[]; wrapUpResolved: boolean; followUpDue: string }[];
      }>('GET', '/api/calls?tag=refund');
      expect(validate('listCalls', 200, tagged.body)).toEqual([]);
      expect(tagged.body.items).toEqual([
        expect.objectContaining({
          callId: 'CA-w-1',
          tags: ['refund', 'billing error'],
          wrapUpResolved: false,
          followUpDue: '2030-01-02T10:00:00.000Z',
        }),
      ]);
    });
    const handled = await as('supervisor').request<{ items: { callId: string }[] }>(
      'GET',
      '/api/calls?humanUserId=demo-agent',
    );
    expect(handled.body.items.map((c) => c.callId)).toEqual(['CA-w-1']);
    const handling = await as('supervisor').request<{ wrapUps: { note: string; userId: string }[] }>(
      'GET',
      '/api/calls/CA-w-1/handling',
    );
    expect(handling.body.wrapUps).toEqual([
      expect.objectContaining({ userId: 'demo-agent', note: 'Refund issued by phone; card ends 4242.' }),
    ]);
    // The note is personal data: in the audit log it is encrypted, not in clear.
    const audit = await as('compliance').request(
      'GET',
      '/api/audit/events?correlationId=CA-w-1&type=CallWrappedUp',
    );
    expect(JSON.stringify(audit.body)).not.toContain('card ends 4242');
  });

  it('shows the caller’s record: their other calls and the tickets opened from them', async () => {
    await start('CA-w-2');
    await call('CA-w-2', 'EndCall', { outcome: 'resolved' });
    const ticket = await as('agent').command('OpenTicket', {
      tenantId: DEMO_TENANT,
      ticketId: 'T-w-1',
      subject: 'Refund for double charge',
      description: 'Caller was charged twice in March.',
      callId: 'CA-w-1',
    });
    expect(ticket.status).toBe(200);
    await eventually(async () => {
      const history = await as('agent').request<{
        caller: string;
        calls: { callId: string }[];
        tickets: { ticketId: string; subject: string; status: string }[];
      }>('GET', '/api/calls/CA-w-2/caller');
      expect(validate('callerHistory', 200, history.body)).toEqual([]);
      expect(history.body.caller).toBe(CALLER);
      expect(history.body.calls.map((c) => c.callId)).toEqual(['CA-w-1']);
      expect(history.body.tickets).toEqual([
        { ticketId: 'T-w-1', subject: 'Refund for double charge', status: 'open', callId: 'CA-w-1' },
      ]);
    });
    expect(
      (await apiClient(test.url, tokens.get('other')).request('GET', '/api/calls/CA-w-2/caller')).status,
    ).toBe(404);
  });
});
