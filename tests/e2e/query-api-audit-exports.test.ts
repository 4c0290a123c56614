import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { as, demoCalls, OTHER, test, tokens, useQueryPlatform, validate } from '../support/query-platform.js';

// The audit trail, its hash-chain check, and the calls and the audit trail as CSV files.
useQueryPlatform();

describe('audit', () => {
  it('reads the tenant’s events filtered by type, actor and call', async () => {
    const page = await as('compliance').request<{
      items: { type: string; correlationId: string }[];
      total: number;
    }>('GET', '/api/audit/events?correlationId=CA-q-3');
    expect(page.status).toBe(200);
    expect(validate('auditEvents', 200, page.body)).toEqual([]);
    expect(page.body.items.map((e) => e.type)).toEqual([
      'CallStarted',
      'UtteranceRecorded',
      'AiReplied',
      'CallEnded',
    ]);
    const ended = await as('compliance').request<{ items: { type: string }[] }>(
      'GET',
      '/api/audit/events?type=CallEnded',
    );
    expect(ended.body.items.every((e) => e.type === 'CallEnded')).toBe(true);
    const newest = await as('compliance').request<{ items: { position: number }[] }>(
      'GET',
      '/api/audit/events?correlationId=CA-q-3&order=desc',
    );
    const positions = newest.body.items.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(positions).toHaveLength(4);
  });

  it('verifies a stream’s hash chain, and finds the event someone changed in the store', async () => {
    const path = `/api/audit/streams/call-${DEMO_TENANT}.CA-q-1/verify`;
    const verified = await as('compliance').request<{ valid: boolean; events: number }>('GET', path);
    expect(verified.status).toBe(200);
    expect(validate('verifyStream', 200, verified.body)).toEqual([]);
    expect(verified.body).toMatchObject({ valid: true, events: 6, unchained: 0 });
    // Someone with the database file rewrites what the caller said (the stored, encrypted value) ...
    const db = new Database(join(test.dataDir, 'events.db'));
    try {
      db.prepare(
        `UPDATE events SET data = json_set(data, '$.confidence', 0.1) WHERE stream_id = ? AND revision = 1`,
      ).run(`call-${DEMO_TENANT}.CA-q-1`);
    } finally {
      db.close();
    }
    // ... and the chain breaks exactly there.
    const broken = await as('compliance').request<{
      valid: boolean;
      brokenAt: { revision: number; reason: string };
    }>('GET', path);
    expect(broken.body).toMatchObject({ valid: false, brokenAt: { revision: 1, reason: 'hash_mismatch' } });
    expect(
      (await as('compliance').request('GET', `/api/audit/streams/call-${OTHER}.CA-q-1/verify`)).status,
    ).toBe(404); // another tenant’s stream is as absent as none
  });
});

describe('exports', () => {
  it('streams calls and the audit trail as CSV', async () => {
    const response = await fetch(`${test.url}/api/exports/calls.csv`, {
      headers: { authorization: `Bearer ${tokens.get('analyst')}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^callId,direction,status,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expect.arrayContaining(demoCalls));
    const audit = await fetch(`${test.url}/api/exports/audit.csv?correlationId=CA-q-1`, {
      headers: { authorization: `Bearer ${tokens.get('compliance')}` },
    });
    expect((await audit.text()).trim().split('\n')).toHaveLength(1 + 6);
  });
});
