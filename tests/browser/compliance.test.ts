import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { recordCall } from '../support/calls.js';
import {
  containsText,
  eventually,
  expectAccessible,
  fieldError,
  isVisible,
  navLinks,
  shot,
  startConsole,
  type ConsoleHarness,
} from './harness.js';

/*
 * Issue 18, item 5, in Chromium against the real platform process: a compliance officer exports what the demo
 * tenant holds about a caller (the file saved is the bundle), is told when nobody matches, erases the caller and
 * sees the erasure's certificate; the API then shows the caller erased. An agent has no GDPR screen.
 */

const CALLER = '+15550001111'; // recordCall's caller
let h: ConsoleHarness;

interface Erasures {
  items: { erasureId: string; status: string; counts: Record<string, number> | null }[];
}
const erasures = async () =>
  (await h.root.request<Erasures>('GET', `/api/compliance/erasures?tenantId=${DEMO_TENANT}`)).body;

beforeAll(async () => {
  h = await startConsole();
  await recordCall(h.root, DEMO_TENANT, 'CA-gdpr-1', ['Hello, this is Maria, I want a cleaning']);
  await eventually(
    () => h.root.request<{ items: { callId: string }[] }>('GET', `/api/calls?tenantId=${DEMO_TENANT}`),
    (r) => expect(r.body.items.map((c) => c.callId)).toContain('CA-gdpr-1'),
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('GDPR requests', () => {
  it(
    'a compliance officer exports and erases a caller, and reads the certificate',
    { timeout: 90_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'compliance');
      await page.getByRole('link', { name: 'GDPR requests' }).click();
      const form = page.getByTestId('gdpr-form');
      await containsText(page.getByRole('heading', { level: 1 }), 'GDPR');

      // Nobody with this address: the refusal beside the field, and nothing erased.
      await form.getByLabel('Identified by', { exact: true }).selectOption({ label: 'Email address' });
      await form.getByLabel('Phone, email or contact id', { exact: true }).fill('nobody@example.com');
      page.once('dialog', (dialog) => void dialog.accept());
      await form.getByRole('button', { name: 'Erase their data' }).click();
      await isVisible(fieldError(page, 'Phone, email or contact id'));
      expect((await erasures()).items).toEqual([]);

      // The export is saved as the bundle itself.
      await form.getByLabel('Identified by', { exact: true }).selectOption({ label: 'Phone number' });
      await form.getByLabel('Phone, email or contact id', { exact: true }).fill(CALLER);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        form.getByRole('button', { name: 'Export their data' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^sar-.+\.json$/);
      const bundle = readFileSync(await download.path(), 'utf8');
      expect(bundle).toContain('call-demo.CA-gdpr-1');
      expect(bundle).toContain('Hello, this is Maria');

      // Erased once confirmed; the certificate names the call, never the caller.
      page.once('dialog', (dialog) => void dialog.accept());
      await form.getByRole('button', { name: 'Erase their data' }).click();
      const table = page.getByTestId('gdpr-erasures');
      await containsText(table, 'Erased', 20_000);
      const certificate = page.getByTestId('gdpr-certificate');
      await containsText(certificate, 'call-demo.CA-gdpr-1');
      await containsText(certificate, 'call 1');
      expect(await certificate.innerText()).not.toContain(CALLER);
      const [erasure] = (await erasures()).items;
      expect(erasure).toMatchObject({ status: 'erased', counts: { call: 1 } });
      const call = await h.root.request<{ call: { from: string }; transcript: { text: string }[] }>(
        'GET',
        `/api/calls/CA-gdpr-1?tenantId=${DEMO_TENANT}`,
      );
      expect(call.body.call.from).toBe('[erased]');
      expect(call.body.transcript.every((line) => line.text === '[erased]')).toBe(true);
      await shot(page, 'gdpr-requests');
      await expectAccessible(page, 'GDPR requests');
      // In Spanish too.
      await page.getByRole('button', { name: /Español/ }).click();
      await containsText(page.getByRole('heading', { level: 1 }), 'RGPD: supresión y derecho de acceso');
      await containsText(page.getByTestId('gdpr-erasures'), 'Suprimida');
    },
  );

  it(
    'a compliance officer sets how long data is kept, and holds a call past it until released',
    { timeout: 90_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'compliance');
      await page.getByRole('link', { name: 'GDPR requests' }).click();
      const policy = page.getByTestId('retention-form');
      // Zero days is no policy: refused beside its field, nothing recorded.
      await policy.getByLabel('Transcripts and call details (days)', { exact: true }).fill('0');
      await policy.getByRole('button', { name: 'Save the policy' }).click();
      await isVisible(fieldError(page, 'Transcripts and call details (days)'));
      await policy.getByLabel('Transcripts and call details (days)', { exact: true }).fill('30');
      await policy.getByLabel('Recordings (days)', { exact: true }).fill('90');
      await policy.getByRole('button', { name: 'Save the policy' }).click();
      const retention = async () =>
        (
          await h.root.request<{ policy: Record<string, number | null>; holds: { holdId: string }[] }>(
            'GET',
            `/api/compliance/retention?tenantId=${DEMO_TENANT}`,
          )
        ).body;
      await eventually(retention, (r) =>
        expect(r.policy).toEqual({ recordingsDays: 90, transcriptsDays: 30, messagesDays: null }),
      );

      const holdForm = page.getByTestId('hold-form');
      await holdForm.getByLabel('Call id, phone, email or contact id', { exact: true }).fill('CA-gdpr-2');
      await holdForm.getByLabel('Reason', { exact: true }).fill('Insurance claim 114');
      await holdForm.getByRole('button', { name: 'Place the hold' }).click();
      const holds = page.getByTestId('legal-holds');
      await containsText(holds, 'Call CA-gdpr-2');
      await containsText(holds, 'Insurance claim 114');
      await expectAccessible(page, 'retention and legal holds');
      await holds.getByRole('button', { name: 'Release' }).click();
      await isVisible(page.getByText('No legal holds.'));
      await eventually(retention, (r) => expect(r.holds).toEqual([]));
      // After reloading, the policy shows what was saved.
      await page.reload();
      await expect
        .poll(() => policy.getByLabel('Transcripts and call details (days)', { exact: true }).inputValue())
        .toBe('30');
    },
  );

  it('an agent has no GDPR screen', { timeout: 60_000 }, async () => {
    const page = await h.newPage();
    await h.signIn(page, 'agent');
    expect(await navLinks(page)).not.toContain('GDPR requests');
  });
});
