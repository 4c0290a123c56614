import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { newPage, signIn, tenantSettings, ui, useAdminConsole, valueOf } from '../support/admin-console.js';
import { expectAccessible, hasText, isVisible, shot, WAIT } from './harness.js';

/*
 * The tenant admin's recording consent card (IVR and routing page) in Chromium: the policy, keys, phrases and
 * announcement saved and read back from the API; clashing keys refused on the field, nothing saved; in Spanish.
 */

useAdminConsole();

const consentOf = async () =>
  (await tenantSettings())['recordingConsent'] as Record<string, unknown> | undefined;

describe('recording consent settings', () => {
  it(
    'sets the policy, a key, phrases and the announcement; refuses clashing keys',
    { timeout: 90_000 },
    async () => {
      const page = await newPage({ height: 1800 });
      await signIn(page, 'tenant_admin');
      await page.getByRole('link', { name: 'IVR and routing', exact: true }).click();
      const form = page.getByTestId('consent-form');
      await hasText(form.getByRole('heading', { level: 2 }), 'Recording consent');
      await valueOf(form.getByLabel('Policy')).toBe('off');

      await form.getByLabel('Policy').selectOption('announce');
      await form.getByLabel('Opt-out key').selectOption('7');
      await form.getByLabel('Opt-out phrases').fill('do not record, stop recording, no grabar');
      await form.getByLabel('Announcement (en)').fill('Acme records calls. Press {optOut} to opt out.');
      await shot(page, 'admin-recording-consent');
      await expectAccessible(page, 'recording consent');
      await form.getByRole('button', { name: 'Save recording consent' }).click();
      await expect.poll(async () => (await consentOf())?.['policy'], WAIT).toBe('announce');
      expect(await consentOf()).toEqual({
        policy: 'announce',
        announcements: { en: 'Acme records calls. Press {optOut} to opt out.' },
        optOutKey: '7',
        optOutPhrases: ['do not record', 'stop recording', 'no grabar'],
        optInKey: '1',
        optInPhrases: ['you may record', 'puede grabar'],
      });

      // The same key to opt in and out: the API's refusal on the opt-in key, and nothing changed.
      await page.reload();
      const again = page.getByTestId('consent-form');
      await valueOf(again.getByLabel('Opt-out key')).toBe('7');
      await again.getByLabel('Opt-in key').selectOption('7');
      await again.getByRole('button', { name: 'Save recording consent' }).click();
      await hasText(again.getByTestId('field-error'), 'the opt-in key must differ from the opt-out key');
      expect((await consentOf())?.['optInKey']).toBe('1');
      await shot(page, 'admin-recording-consent-refused');
    },
  );

  it('reads in Spanish', { timeout: 60_000 }, async () => {
    const page = await newPage({ height: 1800 });
    await signIn(page, 'tenant_admin');
    await page.getByRole('button', { name: /ES/ }).click();
    await page.getByRole('link', { name: 'IVR y enrutamiento', exact: true }).click();
    const form = page.getByTestId('consent-form');
    await hasText(form.getByRole('heading', { level: 2 }), 'Consentimiento de grabación');
    await isVisible(form.getByRole('button', { name: 'Guardar el consentimiento de grabación' }));
    await valueOf(form.getByLabel('Política')).toBe('announce');
    await shot(page, 'admin-recording-consent-es');
    await expectAccessible(page, 'recording consent, Spanish');
  });

  it('shows the caller’s answer on the call’s page', { timeout: 60_000 }, async () => {
    // What the media gateway records when a caller presses the opt-out key.
    const callId = 'CA-consent-1';
    const send = async (type: string, data: Record<string, unknown>) =>
      expect((await ui.root.command(type, { tenantId: DEMO_TENANT, callId, ...data })).status).toBe(200);
    await send('StartCall', {
      direction: 'inbound',
      from: '+15550002222',
      to: '+15550100001',
      provider: 'twilio',
    });
    await send('RecordRecordingConsent', { outcome: 'given', policy: 'announce', method: 'announcement' });
    await send('RecordRecordingConsent', { outcome: 'refused', policy: 'announce', method: 'key', key: '9' });
    await send('EndCall', { outcome: 'resolved' });
    const page = await newPage();
    await signIn(page, 'tenant_admin');
    await page.goto(new URL(`/calls/${callId}`, page.url()).href);
    const fact = page.getByRole('definition').filter({ hasText: 'Refused · key 9' });
    await isVisible(fact);
    await shot(page, 'call-recording-consent');
  });
});
