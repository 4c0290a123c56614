import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASED } from '@ccp/schemas';
import { migrate } from './migrations/index.js';
import { findSubjectHoldings, scrubSubjectRows } from './personal-data.js';
import { openChdbReadStore } from './read-store/chdb.js';
import type { ReadStore } from './read-store/port.js';

const MARIA = '+15550001111';
const OTHER = '+15550002222';
const at = '2026-03-02 10:00:00.000';
let dir: string;
let store: ReadStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ccp-personal-'));
  store = await openChdbReadStore({ path: dir, database: 'personal' });
  await migrate(store);
  const call = (tenant_id: string, call_id: string, from_address: string) => ({
    tenant_id,
    call_id,
    direction: 'inbound',
    provider: 'simulator',
    from_address,
    to_address: '+15550100001',
    status: 'ended',
    started_at: at,
    last_event_at: at,
    version: 1,
  });
  await store.insert('calls', [
    call('acme', 'CA1', MARIA),
    call('acme', 'CA2', OTHER),
    call('globex', 'CA9', MARIA),
  ]);
  const lead = (tenant_id: string, campaign_id: string, lead_id: string, phone: string) => ({
    tenant_id,
    campaign_id,
    lead_id,
    import_id: 'imp-1',
    phone,
    name: `lead ${lead_id}`,
    time_zones: [],
    staged_at: at,
    version: 1,
  });
  await store.insert('campaign_leads', [
    lead('acme', 'spring', 'l1', MARIA),
    lead('acme', 'spring', 'l2', OTHER),
    // Her other number, known from her contact, in another campaign.
    lead('acme', 'autumn', 'l7', '+15550003333'),
    lead('globex', 'spring', 'l1', MARIA),
  ]);
  // An older version of CA1's row, in a part of its own: the mutation rewrites it too, not only the latest.
  await store.insert('calls', [{ ...call('acme', 'CA1', MARIA), version: 0 }]);
  const utterance = (tenant_id: string, call_id: string, text: string) => ({
    tenant_id,
    call_id,
    utterance_id: 'u1',
    speaker: 'caller',
    text,
    confidence: 0.9,
    language: 'en',
    occurred_at: at,
    position: 1,
    version: 1,
  });
  await store.insert('utterances', [
    utterance('acme', 'CA1', 'my name is Maria'),
    utterance('acme', 'CA2', 'my name is Olga'),
    utterance('globex', 'CA9', 'my name is Maria at Globex'),
  ]);
  await store.insert('contacts', [
    {
      tenant_id: 'acme',
      contact_id: 'maria',
      name: 'Maria Lopez',
      phones: [MARIA, '+15550003333'],
      emails: ['maria@example.com'],
      tags: ['vip'],
      created_at: at,
      updated_at: at,
      version: 1,
    },
  ]);
  await store.insert('contact_phones', [
    { tenant_id: 'acme', phone: MARIA, contact_id: 'maria', created_at: at, version: 1 },
    { tenant_id: 'acme', phone: '+15550003333', contact_id: 'maria', created_at: at, version: 1 },
  ]);
  await store.insert('appointments', [
    {
      tenant_id: 'acme',
      appointment_id: 'ap1',
      status: 'booked',
      starts_at: at,
      ends_at: at,
      duration_minutes: 30,
      time_zone: 'UTC',
      service: 'cleaning',
      service_ids: [],
      customer_name: 'Maria Lopez',
      customer_email: 'maria@example.com',
      booked_at: at,
      updated_at: at,
      version: 1,
    },
  ]);
  await store.insert('events', [
    {
      tenant_id: 'acme',
      position: 7,
      event_id: 'e7',
      stream_id: 'call-acme.CA1',
      type: 'RecordingAvailable',
      version: 1,
      occurred_at: at,
      correlation_id: 'CA1',
      actor_kind: 'telephony',
      actor_id: 'twilio',
      data: JSON.stringify({ recordingId: 'RE1', url: 'pii:v1:sealed', durationSeconds: 3 }),
    },
  ]);
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a data subject in the read store', () => {
  it("finds the tenant's streams holding the subject, widened through their contact, never another tenant's", async () => {
    const held = await findSubjectHoldings(store, 'acme', { kind: 'phone', value: MARIA });
    expect([...held.streams].sort()).toEqual(['appointment-acme.ap1', 'call-acme.CA1', 'contact-acme.maria']);
    expect(held.recordings).toEqual(['RE1']);
    expect([...held.identifiers.phones].sort()).toEqual([MARIA, '+15550003333']);
    expect(held.identifiers.emails).toEqual(['maria@example.com']);
    // Her leads, by campaign and number: each campaign keeps its other leads.
    expect([...held.leads].sort((a, b) => a.stream.localeCompare(b.stream))).toEqual([
      { stream: 'campaign-acme.autumn', phone: '+15550003333' },
      { stream: 'campaign-acme.spring', phone: MARIA },
    ]);
    const byContact = await findSubjectHoldings(store, 'acme', { kind: 'contact', value: 'maria' });
    expect([...byContact.streams].sort()).toEqual([...held.streams].sort());
    const unknown = await findSubjectHoldings(store, 'acme', { kind: 'email', value: 'nobody@example.com' });
    expect(unknown.streams).toEqual([]);
  });

  it("scrubs every version of the subject's rows once, leaving others and other tenants as they were", async () => {
    const held = await findSubjectHoldings(store, 'acme', { kind: 'phone', value: MARIA });
    const changed = await scrubSubjectRows(store, 'acme', held.streams, held.identifiers.phones);
    expect(changed).toEqual({
      calls: 1,
      utterances: 1,
      appointments: 1,
      contacts: 1,
      contact_phones: 2,
      campaign_leads: 2,
    });
    // Her lead rows are gone, as a rebuild would leave them; the other lead and the other tenant's stay.
    expect(
      await store.query('SELECT tenant_id, lead_id FROM campaign_leads FINAL ORDER BY tenant_id, lead_id'),
    ).toEqual([
      { tenant_id: 'acme', lead_id: 'l2' },
      { tenant_id: 'globex', lead_id: 'l1' },
    ]);
    const calls = await store.query<{ tenant_id: string; call_id: string; from_address: string }>(
      'SELECT tenant_id, call_id, from_address FROM calls ORDER BY tenant_id, call_id, version',
    );
    expect(calls).toEqual([
      { tenant_id: 'acme', call_id: 'CA1', from_address: ERASED },
      { tenant_id: 'acme', call_id: 'CA1', from_address: ERASED },
      { tenant_id: 'acme', call_id: 'CA2', from_address: OTHER },
      { tenant_id: 'globex', call_id: 'CA9', from_address: MARIA },
    ]);
    const texts = await store.query<{ text: string }>(
      'SELECT text FROM utterances ORDER BY tenant_id, call_id',
    );
    expect(texts.map((t) => t.text)).toEqual([ERASED, 'my name is Olga', 'my name is Maria at Globex']);
    const [contact] = await store.query('SELECT name, phones, emails, tags FROM contacts FINAL');
    expect(contact).toEqual({ name: ERASED, phones: [], emails: [], tags: [] });
    expect(await store.query('SELECT * FROM contact_phones')).toEqual([]);
    const [appointment] = await store.query('SELECT customer_name, customer_email FROM appointments FINAL');
    expect(appointment).toEqual({ customer_name: ERASED, customer_email: '' });
    // Nothing left: found no more, scrubbed no more.
    expect((await findSubjectHoldings(store, 'acme', { kind: 'phone', value: MARIA })).streams).toEqual([]);
    expect((await findSubjectHoldings(store, 'acme', { kind: 'phone', value: MARIA })).leads).toEqual([]);
    expect(await scrubSubjectRows(store, 'acme', held.streams, held.identifiers.phones)).toEqual({});
  });

  it('scrubs nothing of a stream that names another tenant', async () => {
    expect(await scrubSubjectRows(store, 'acme', ['call-globex.CA9'], [])).toEqual({});
    const [row] = await store.query<{ from_address: string }>(
      "SELECT from_address FROM calls FINAL WHERE tenant_id = 'globex'",
    );
    expect(row?.from_address).toBe(MARIA);
  });
});
