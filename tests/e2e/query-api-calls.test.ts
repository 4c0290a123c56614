import { describe, expect, it } from 'vitest';
import { as, eventually, useQueryPlatform, validate } from '../support/query-platform.js';

// The query API's calls: the list a page at a time, a call's transcript and its replay.
useQueryPlatform();

describe('calls and transcripts', () => {
  it('lists the tenant’s calls a page at a time, filtered and sorted, as documented', async () => {
    const first = await as('analyst').request<{
      items: { callId: string }[];
      nextCursor: string;
      total: number;
    }>('GET', '/api/calls?limit=3&sort=started_at&order=asc');
    expect(first.status).toBe(200);
    expect(validate('listCalls', 200, first.body)).toEqual([]);
    expect(first.body.total).toBe(4);
    expect(first.body.items.map((c) => c.callId)).toEqual(['CA-q-1', 'CA-q-2', 'CA-q-3']);
    const second = await as('analyst').request<{ items: { callId: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/calls?limit=3&sort=started_at&order=asc&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((c) => c.callId)).toEqual(['CA-q-4']);
    expect(second.body.nextCursor).toBeNull();
    const escalated = await as('analyst').request<{ items: { callId: string }[] }>(
      'GET',
      '/api/calls?outcome=escalated',
    );
    expect(escalated.body.items.map((c) => c.callId)).toEqual(['CA-q-2']);
    // Drill-down from the intents chart: the calls in which callers wanted to cancel.
    await eventually(async () => {
      const cancelling = await as('analyst').request<{ items: { callId: string }[] }>(
        'GET',
        '/api/calls?intent=cancel_appointment',
      );
      expect(cancelling.body.items.map((c) => c.callId)).toEqual(['CA-q-3']);
    });
  });

  it('drills down from a call to its transcript, and replays it step by step', async () => {
    const detail = await as('supervisor').request<{ transcript: { text: string; speaker: string }[] }>(
      'GET',
      '/api/calls/CA-q-2',
    );
    expect(detail.status).toBe(200);
    expect(validate('getCall', 200, detail.body)).toEqual([]);
    expect(detail.body.transcript[0]).toMatchObject({
      speaker: 'caller',
      text: 'Where is my refund, this is terrible',
    });
    const replay = await as('compliance').request<{
      steps: { step: number; type: string; offsetMs: number }[];
    }>('GET', '/api/calls/CA-q-2/replay');
    expect(validate('replayCall', 200, replay.body)).toEqual([]);
    expect(replay.body.steps.map((s) => s.type)).toEqual([
      'CallStarted',
      'UtteranceRecorded',
      'AiReplied',
      'CallEnded',
    ]);
    expect(replay.body.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(replay.body.steps[0]?.offsetMs).toBe(0);
  });

  it('refuses bad parameters with a clear error', async () => {
    for (const [path, field] of [
      ['/api/calls?limit=0', 'limit'],
      ['/api/calls?sort=password', 'sort'],
      ['/api/calls?from=yesterday', 'from'],
      ['/api/calls?cursor=bm9wZQ', 'cursor'],
      ['/api/calls?colour=blue', ''],
    ] as const) {
      const response = await as('analyst').request<{ error: { code: string; field?: string } }>('GET', path);
      expect(response.status, path).toBe(400);
      expect(validate('listCalls', 400, response.body), path).toEqual([]);
      if (field !== '') expect(response.body.error.field, path).toBe(field);
    }
  });
});
