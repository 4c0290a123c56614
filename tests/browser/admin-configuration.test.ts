import { describe, expect, it } from 'vitest';
import {
  ADMIN_MENU,
  adminLinks,
  configItem,
  configItems,
  confirm,
  isGone,
  newPage,
  rowWith,
  signIn,
  tenantSettings,
  ui,
  useAdminConsole,
  valueOf,
} from '../support/admin-console.js';
import {
  containsText,
  expectAccessible,
  hasCount,
  hasText,
  isVisible,
  navLinks,
  shot,
  WAIT,
} from './harness.js';

/*
 * The tenant's configuration screens in Chromium, one story on one platform: a department, an AI agent placed
 * in it, a number routed to that agent and an IVR option to the department, a knowledge article and a call
 * script; then a supervisor reading and editing what was made, and the agent editor in Spanish and dark mode.
 * Each test builds on what the ones before it made, so they stay together in this order.
 */

useAdminConsole();

describe('departments', () => {
  it('creates, edits, archives and restores a department', { timeout: 90_000 }, async () => {
    const page = await newPage();
    await signIn(page, 'tenant_admin');
    expect(await adminLinks(page)).toEqual(ADMIN_MENU['tenant_admin']);
    await page.getByRole('link', { name: 'Departments', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Departments');
    await isVisible(rowWith(page, 'departments-table', 'Reception'));
    await shot(page, 'admin-departments');
    await expectAccessible(page, 'departments');

    await page.getByRole('button', { name: 'New department' }).click();
    const drawer = page.getByTestId('department-form');
    await drawer.getByLabel('Name', { exact: true }).fill('Orthodontics');
    await valueOf(drawer.getByLabel('ID', { exact: true })).toBe('orthodontics');
    await drawer.getByLabel('Description').fill('Braces and aligners');
    await drawer.getByLabel('Strategy').selectOption('longest_idle');
    await drawer.getByLabel('Longest wait for a person (seconds)').fill('90');
    await drawer.getByLabel('When no person is available').selectOption('voicemail');
    await drawer.getByLabel('Staffed hours of its own').check();
    await drawer.getByLabel('Department prompt').fill('Explain treatment options; never quote prices.');
    await shot(page, 'admin-department-new');
    await expectAccessible(page, 'new department');
    await drawer.getByRole('button', { name: 'Create department' }).click();
    await isVisible(rowWith(page, 'departments-table', 'Orthodontics'));

    const created = await configItem('departments', 'orthodontics');
    expect(created).toMatchObject({
      status: 'active',
      name: 'Orthodontics',
      description: 'Braces and aligners',
      routing: { strategy: 'longest_idle', maxQueueWaitSeconds: 90 },
      escalation: { afterHours: 'voicemail', businessHours: { weekly: expect.any(Array) } },
      systemPrompt: 'Explain treatment options; never quote prices.',
    });
    expect(
      (created?.['escalation'] as { businessHours: { weekly: unknown[] } }).businessHours.weekly,
    ).toHaveLength(5);

    // A change shows after a reload and in the API.
    await page.reload();
    await page.getByRole('button', { name: 'Edit Orthodontics' }).click();
    await valueOf(drawer.getByLabel('Longest wait for a person (seconds)')).toBe('90');
    await drawer.getByLabel('Longest wait for a person (seconds)').fill('45');
    await drawer.getByLabel('Overflow department').selectOption('reception');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await containsText(rowWith(page, 'departments-table', 'Orthodontics'), 'wait up to 0:45');
    await containsText(rowWith(page, 'departments-table', 'Orthodontics'), 'Reception');
    expect(await configItem('departments', 'orthodontics')).toMatchObject({
      routing: { strategy: 'longest_idle', maxQueueWaitSeconds: 45, overflowDepartmentId: 'reception' },
    });

    // The API's own refusal, next to the field it names: after-hours overflow needs an overflow department.
    await page.getByRole('button', { name: 'Edit Orthodontics' }).click();
    await drawer.getByLabel('Overflow department').selectOption('');
    await drawer.getByLabel('When no person is available').selectOption('overflow');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await hasText(drawer.getByTestId('field-error'), 'after-hours overflow needs an overflow department');
    await shot(page, 'admin-department-refused');
    await drawer.getByRole('button', { name: 'Cancel' }).click();
    expect(await configItem('departments', 'orthodontics')).toMatchObject({
      routing: { overflowDepartmentId: 'reception' },
      escalation: { afterHours: 'voicemail' },
    });

    await page.getByRole('button', { name: 'Archive Orthodontics' }).click();
    await confirm(page, 'Archive');
    await isGone(rowWith(page, 'departments-table', 'Orthodontics'));
    expect((await configItem('departments', 'orthodontics'))?.['status']).toBe('archived');
    await page.getByLabel('Show archived (1)').check();
    await containsText(rowWith(page, 'departments-table', 'Orthodontics'), 'Archived');

    // Archiving is for good; the settings start a new department under a new id.
    await page.getByRole('button', { name: 'Restore as new: Orthodontics' }).click();
    await valueOf(drawer.getByLabel('ID', { exact: true })).toBe('orthodontics-2');
    await valueOf(drawer.getByLabel('Description')).toBe('Braces and aligners');
    await drawer.getByRole('button', { name: 'Create department' }).click();
    await isVisible(rowWith(page, 'departments-table', 'orthodontics-2'));
    expect(await configItem('departments', 'orthodontics-2')).toMatchObject({
      status: 'active',
      name: 'Orthodontics',
      routing: { maxQueueWaitSeconds: 45 },
    });
  });
});

describe('AI agents', () => {
  it(
    'creates an agent with every setting, plays its voice sample, then disables it',
    { timeout: 120_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'tenant_admin');
      await page.getByRole('link', { name: 'AI agents', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'AI agents');
      await isVisible(rowWith(page, 'admin-agents-table', 'Sofia'));
      await shot(page, 'admin-agents');
      await expectAccessible(page, 'AI agents');

      await page.getByRole('link', { name: 'New AI agent' }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'New AI agent');
      const form = page.getByTestId('agent-form');
      await form.getByLabel('Name', { exact: true }).fill('Olivia');
      await valueOf(form.getByLabel('ID', { exact: true })).toBe('olivia');
      await form.getByLabel('Type').selectOption('appointment_booking');
      await form.getByLabel('Department').selectOption('orthodontics-2');
      await form.getByLabel('Voice', { exact: true }).selectOption('Leda');
      await form.getByLabel('Tone').selectOption('empathetic');
      await form.getByLabel('Personality traits').fill('patient, reassuring');
      await form.getByLabel('Greeting').fill('Hello, this is Olivia from the orthodontics team.');
      await form.getByLabel('System prompt').fill('Book consultations for braces and aligners.');
      await form.getByLabel('Languages').fill('en, es');
      await form.getByLabel('Business hours of its own').check();
      await form.getByLabel('When the caller’s sentiment keeps getting worse').uncheck();
      await form.getByLabel('Below this confidence (0–1)').fill('0.55');
      await form.getByLabel('Keywords').fill('refund, lawyer');
      await form.getByLabel('Turns without resolution').fill('12');
      await form.getByLabel('Fallback').selectOption('take_message');
      await form.getByLabel('Concurrent calls').fill('3');
      await shot(page, 'admin-agent-new');
      await expectAccessible(page, 'new AI agent');
      await page.getByRole('button', { name: 'Create agent' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/admin/agents/edit/olivia');

      const expected = {
        status: 'enabled',
        name: 'Olivia',
        type: 'appointment_booking',
        departmentId: 'orthodontics-2',
        voice: 'Leda',
        personality: {
          tone: 'empathetic',
          traits: ['patient', 'reassuring'],
          greeting: 'Hello, this is Olivia from the orthodontics team.',
        },
        systemPrompt: 'Book consultations for braces and aligners.',
        languages: ['en', 'es'],
        businessHours: { weekly: expect.any(Array) },
        fallback: 'take_message',
        escalationRules: {
          onCallerRequest: true,
          belowConfidence: 0.55,
          onNegativeSentimentTrend: false,
          keywords: ['refund', 'lawyer'],
          maxTurnsWithoutResolution: 12,
        },
        concurrencyLimit: 3,
      };
      expect(await configItem('agents', 'olivia')).toMatchObject(expected);

      // After a reload the editor shows what was saved.
      await page.reload();
      await hasText(page.getByRole('heading', { level: 1 }), 'Olivia');
      await valueOf(form.getByLabel('Voice', { exact: true })).toBe('Leda');
      await valueOf(form.getByLabel('Keywords')).toBe('refund, lawyer');
      await valueOf(form.getByLabel('Below this confidence (0–1)')).toBe('0.55');
      expect(await form.getByLabel('When the caller’s sentiment keeps getting worse').isChecked()).toBe(
        false,
      );
      await expect.poll(() => form.getByTestId('hours-row').count()).toBe(5);

      // The voice sample: WAV from the platform's text-to-speech in a blob the <audio> element plays.
      await form.getByLabel('Sample language').selectOption('es');
      await page.getByRole('button', { name: 'Play sample (Leda)' }).click();
      const audio = page.getByTestId('voice-sample');
      await expect.poll(() => audio.getAttribute('src'), WAIT).toMatch(/^blob:/);
      // The test platform has no text-to-speech provider: the console says the sample is the machine voice.
      await hasText(
        page.getByTestId('sample-status'),
        'No text-to-speech provider is configured: this is the simulator’s machine voice, not how callers will hear Leda.',
      );
      await expect.poll(() => audio.getAttribute('data-playback'), WAIT).toBe('element');
      const sample = await audio.evaluate(async (element) => {
        const a = element as unknown as { src: string };
        const blob = await (await fetch(a.src)).blob();
        const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
        return { size: blob.size, type: blob.type, riff: String.fromCharCode(...head.slice(0, 4)) };
      });
      expect(sample.size).toBeGreaterThan(1000);
      expect(sample.type).toBe('audio/wav');
      expect(sample.riff).toBe('RIFF');
      await expect
        .poll(() => audio.evaluate((element) => (element as unknown as { duration: number }).duration), WAIT)
        .toBeGreaterThan(0.5);
      await shot(page, 'admin-agent-edit');
      await expectAccessible(page, 'AI agent editor');

      // An edit replaces the fields it names; the department can be taken away again.
      await form.getByLabel('Department').selectOption('');
      await form.getByLabel('Concurrent calls').fill('4');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect
        .poll(async () => (await configItem('agents', 'olivia'))?.['concurrencyLimit'], WAIT)
        .toBe(4);
      expect((await configItem('agents', 'olivia'))?.['departmentId']).toBeNull();

      await page.getByRole('link', { name: 'All AI agents' }).click();
      await page.getByRole('button', { name: 'Disable Olivia' }).click();
      await containsText(rowWith(page, 'admin-agents-table', 'Olivia'), 'Disabled');
      expect((await configItem('agents', 'olivia'))?.['status']).toBe('disabled');
      await page.getByRole('button', { name: 'Enable Olivia' }).click();
      await containsText(rowWith(page, 'admin-agents-table', 'Olivia'), 'Enabled');
      expect((await configItem('agents', 'olivia'))?.['status']).toBe('enabled');
    },
  );

  it('plays the sample under the console’s own Content-Security-Policy', { timeout: 60_000 }, async () => {
    const page = await newPage({ bypassCSP: false });
    await signIn(page, 'tenant_admin');
    await page.goto(`${ui.url}/admin/agents/edit/sofia`);
    await hasText(page.getByRole('heading', { level: 1 }), 'Sofia');
    await page.getByRole('button', { name: 'Play sample (Puck)' }).click();
    await hasText(
      page.getByTestId('sample-status'),
      'No text-to-speech provider is configured: this is the simulator’s machine voice, not how callers will hear Puck.',
    );
    const audio = page.getByTestId('voice-sample');
    expect(Number(await audio.getAttribute('data-size'))).toBeGreaterThan(1000);
    // The policy has no media-src for blob: URLs, so the element cannot load the sample; it is decoded and
    // played through Web Audio instead. Should the policy allow blob: media, the element plays it itself.
    await expect.poll(() => audio.getAttribute('data-playback'), WAIT).toMatch(/^(decoded|element)$/);
  });

  it(
    'shows the API’s error for an agent without a name and creates nothing',
    { timeout: 60_000 },
    async () => {
      const before = (await configItems('agents')).map((a) => a.id);
      const page = await newPage();
      await signIn(page, 'tenant_admin');
      await page.goto(`${ui.url}/admin/agents/new`);
      const form = page.getByTestId('agent-form');
      await form.getByLabel('ID', { exact: true }).fill('nameless');
      await page.getByRole('button', { name: 'Create agent' }).click();
      const error = form.getByTestId('field-error');
      await hasText(error, /Too small: expected string to have >=1 characters/);
      // The message sits under the Name field and is tied to its input.
      const input = form.getByLabel('Name', { exact: true });
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
      expect(describedBy.split(' ')).toContain(await error.getAttribute('id'));
      expect(new URL(page.url()).pathname).toBe('/admin/agents/new');
      await shot(page, 'admin-agent-error');
      await expectAccessible(page, 'AI agent editor with an error');
      expect((await configItems('agents')).map((a) => a.id)).toEqual(before);
    },
  );
});

describe('numbers and IVR', () => {
  it(
    'provisions numbers and a SIP extension, assigns one and releases another',
    { timeout: 90_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'tenant_admin');
      await page.getByRole('link', { name: 'Phone numbers', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Phone numbers');
      await containsText(rowWith(page, 'numbers-table', '+15550100001'), 'AI agent: Sofia');
      await containsText(rowWith(page, 'numbers-table', '+15550100002'), 'IVR menu: main');

      const provision = page.getByTestId('provision-form');
      // A malformed address: the API's message under the field, nothing provisioned.
      await provision.getByLabel('Address').fill('+1555');
      await provision.getByRole('button', { name: /Provision/ }).click();
      await containsText(provision.getByTestId('field-error'), 'an address is an E.164 number');
      expect((await configItems('numbers')).map((n) => n.id).sort()).toEqual([
        '+15550100001',
        '+15550100002',
      ]);

      await provision.getByLabel('Address').fill('+15550109999');
      await provision.getByLabel('Label').fill('Ortho line');
      await provision.getByRole('button', { name: 'Provision (Phone)' }).click();
      await isVisible(rowWith(page, 'numbers-table', '+15550109999'));
      await containsText(rowWith(page, 'numbers-table', '+15550109999'), 'Not assigned');

      await page.getByRole('button', { name: 'Assign +15550109999' }).click();
      const assign = page.getByTestId('assign-form');
      await assign.getByLabel('Route calls to').selectOption('agent');
      await assign.getByLabel('AI agent').selectOption('olivia');
      await shot(page, 'admin-number-assign');
      await expectAccessible(page, 'assign a number');
      await assign.getByRole('button', { name: 'Assign' }).click();
      await containsText(rowWith(page, 'numbers-table', '+15550109999'), 'AI agent: Olivia');
      expect(await configItem('numbers', '+15550109999')).toMatchObject({
        kind: 'pstn',
        label: 'Ortho line',
        target: { kind: 'agent', id: 'olivia' },
      });

      await provision.getByLabel('Address').fill('sip:2001@PBX.demo.example');
      await provision.getByRole('button', { name: 'Provision (SIP)' }).click();
      await isVisible(rowWith(page, 'numbers-table', 'sip:2001@pbx.demo.example'));
      await page.reload();
      await containsText(rowWith(page, 'numbers-table', '+15550109999'), 'AI agent: Olivia');
      await containsText(rowWith(page, 'numbers-table', 'sip:2001@pbx.demo.example'), 'SIP');
      await shot(page, 'admin-numbers');
      await expectAccessible(page, 'phone numbers');

      await page.getByRole('button', { name: 'Release sip:2001@pbx.demo.example' }).click();
      await confirm(page, 'Release');
      await isGone(rowWith(page, 'numbers-table', 'sip:2001@pbx.demo.example'));
      expect(await configItem('numbers', 'sip:2001@pbx.demo.example')).toBeUndefined();
    },
  );

  it('edits the IVR menu and the business hours', { timeout: 90_000 }, async () => {
    const page = await newPage();
    await signIn(page, 'tenant_admin');
    await page.getByRole('link', { name: 'IVR and routing', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'IVR and routing');
    const menu = page.getByTestId('ivr-menu').first();
    await containsText(menu, 'Used by +15550100002');
    await expect.poll(() => menu.getByTestId('ivr-option').count()).toBe(3);

    await menu.getByRole('button', { name: 'Add option' }).click();
    const added = menu.getByTestId('ivr-option').nth(3);
    await valueOf(added.getByLabel('Key', { exact: true })).toBe('4');
    await added.getByLabel('Spoken phrases').fill('braces, orthodontics, ortodoncia');
    await added.getByLabel('Department').selectOption('orthodontics-2');
    await shot(page, 'admin-ivr');
    await expectAccessible(page, 'IVR and routing');
    await page.getByRole('button', { name: 'Save menus' }).click();
    await expect
      .poll(
        async () => ((await tenantSettings())['ivrMenus'] as { options: unknown[] }[])[0]?.options.length,
        WAIT,
      )
      .toBe(4);
    expect(((await tenantSettings())['ivrMenus'] as { options: unknown[] }[])[0]?.options[3]).toEqual({
      digit: '4',
      phrases: ['braces', 'orthodontics', 'ortodoncia'],
      departmentId: 'orthodontics-2',
    });

    // A key used twice: the API's refusal on that option's key, and the saved menu unchanged.
    await page.reload();
    const option = page.getByTestId('ivr-menu').first().getByTestId('ivr-option').nth(3);
    await valueOf(option.getByLabel('Spoken phrases')).toBe('braces, orthodontics, ortodoncia');
    await option.getByLabel('Key', { exact: true }).selectOption('1');
    await page.getByRole('button', { name: 'Save menus' }).click();
    await hasText(option.getByTestId('field-error'), 'key 1 is used twice');
    expect(
      ((await tenantSettings())['ivrMenus'] as { options: { digit: string }[] }[])[0]?.options[3]?.digit,
    ).toBe('4');
    await shot(page, 'admin-ivr-refused');

    // Saturday closes an hour later.
    const hours = page.getByTestId('hours-form');
    const saturday = hours.getByTestId('hours-row').nth(5);
    await valueOf(saturday.getByLabel('Day', { exact: true })).toBe('sat');
    await saturday.getByLabel('Closes').fill('14:00');
    await page.getByRole('button', { name: 'Save business hours' }).click();
    await expect
      .poll(
        async () =>
          (
            (await tenantSettings())['businessHours'] as { weekly: { day: string; close: string }[] }
          ).weekly.find((i) => i.day === 'sat')?.close,
        WAIT,
      )
      .toBe('14:00');
  });
});

describe('knowledge', () => {
  it(
    'uploads a .md file as an article and publishes it, and writes a call script',
    { timeout: 90_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'tenant_admin');
      await page.getByRole('link', { name: 'Knowledge base', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Knowledge base');
      await isVisible(rowWith(page, 'articles-table', 'Insurance we accept'));
      await shot(page, 'admin-knowledge');
      await expectAccessible(page, 'knowledge base');

      const body = '# Parking\n\nFree parking is behind the building; the entrance is on Mill Lane.\n';
      await page.getByLabel('Upload a .txt or .md file').setInputFiles({
        name: 'parking-guide.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from(body),
      });
      const form = page.getByTestId('article-form');
      await valueOf(form.getByLabel('Title')).toBe('Parking guide');
      await valueOf(form.getByLabel('ID', { exact: true })).toBe('parking-guide');
      await valueOf(form.getByLabel('Body', { exact: true })).toBe(body);
      await form.getByLabel('Tags').fill('parking, location');
      await shot(page, 'admin-article-upload');
      await expectAccessible(page, 'article from a file');
      await form.getByRole('button', { name: 'Create article' }).click();
      await containsText(rowWith(page, 'articles-table', 'Parking guide'), 'Draft');
      expect(await configItem('articles', 'parking-guide')).toMatchObject({
        status: 'draft',
        title: 'Parking guide',
        body,
        tags: ['parking', 'location'],
        language: 'en',
      });

      await page.getByRole('button', { name: 'Publish Parking guide' }).click();
      await containsText(rowWith(page, 'articles-table', 'Parking guide'), 'Published');
      expect((await configItem('articles', 'parking-guide'))?.['status']).toBe('published');
      await page.reload();
      await containsText(rowWith(page, 'articles-table', 'Parking guide'), 'Published');

      // A file of another kind is refused in the browser, before anything is sent.
      await page.getByLabel('Upload a .txt or .md file').setInputFiles({
        name: 'logo.png',
        mimeType: 'image/png',
        buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      });
      await hasText(page.getByTestId('field-error'), 'logo.png is not a .txt or .md file.');

      await page.getByRole('link', { name: 'Call scripts', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Call scripts');
      await page.getByRole('button', { name: 'New script' }).click();
      const script = page.getByTestId('script-form');
      await script.getByLabel('Name', { exact: true }).fill('Braces consultation');
      await script.getByLabel('For agents of type').selectOption('appointment_booking');
      await script.getByLabel('Opening').fill('Thanks for calling about braces!');
      await script
        .getByTestId('script-step')
        .first()
        .getByLabel('What the agent says or asks')
        .fill('How old is the patient?');
      await script.getByRole('button', { name: 'Add step' }).click();
      const second = script.getByTestId('script-step').nth(1);
      await second.getByLabel('What the agent says or asks').fill('Which day suits you for a consultation?');
      await second.getByLabel('Expected intent').fill('book_appointment');
      await script.getByRole('button', { name: 'Add objection' }).click();
      const objection = script.getByTestId('script-objection').first();
      await objection.getByLabel('When the caller says').fill('too expensive');
      await objection.getByLabel('The agent answers').fill('The first consultation is free.');
      await script.getByLabel('Closing').fill('See you soon!');
      await shot(page, 'admin-script-new');
      await expectAccessible(page, 'new call script');
      await script.getByRole('button', { name: 'Create script' }).click();
      await isVisible(rowWith(page, 'scripts-table', 'Braces consultation'));
      expect(await configItem('scripts', 'braces-consultation')).toMatchObject({
        name: 'Braces consultation',
        agentType: 'appointment_booking',
        opening: 'Thanks for calling about braces!',
        steps: [
          { id: 'step-1', prompt: 'How old is the patient?' },
          {
            id: 'step-2',
            prompt: 'Which day suits you for a consultation?',
            expectedIntent: 'book_appointment',
          },
        ],
        objections: [{ objection: 'too expensive', response: 'The first consultation is free.' }],
        closing: 'See you soon!',
      });
    },
  );
});

describe('roles', () => {
  it(
    'lets a supervisor read departments, agents and numbers and edit knowledge, but not the rest',
    { timeout: 90_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'supervisor');
      expect(await adminLinks(page)).toEqual(ADMIN_MENU['supervisor']);

      await page.getByRole('link', { name: 'Departments', exact: true }).click();
      await isVisible(rowWith(page, 'departments-table', 'Reception'));
      await hasCount(page.getByRole('button', { name: 'New department' }), 0);
      await page.getByRole('button', { name: 'View Reception' }).click();
      expect(await page.getByTestId('department-form').getByLabel('Name', { exact: true }).isDisabled()).toBe(
        true,
      );
      await hasCount(page.getByRole('button', { name: 'Save changes' }), 0);
      await shot(page, 'admin-departments-supervisor');
      await expectAccessible(page, 'department read by a supervisor');
      await page.keyboard.press('Escape');

      await page.getByRole('link', { name: 'AI agents', exact: true }).click();
      await isVisible(rowWith(page, 'admin-agents-table', 'Olivia'));
      await hasCount(page.getByRole('link', { name: 'New AI agent' }), 0);
      await hasCount(page.getByRole('button', { name: 'Disable Sofia' }), 0);
      await page.getByRole('link', { name: 'Sofia', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Sofia');
      expect(await page.getByTestId('agent-form').getByLabel('System prompt').isDisabled()).toBe(true);
      // Supervisors may hear the voice all the same.
      await page.getByRole('button', { name: 'Play sample (Puck)' }).click();
      await expect.poll(() => page.getByTestId('voice-sample').getAttribute('src'), WAIT).toMatch(/^blob:/);

      await page.getByRole('link', { name: 'Phone numbers', exact: true }).click();
      await isVisible(rowWith(page, 'numbers-table', '+15550109999'));
      await hasCount(page.getByTestId('provision-form'), 0);
      await hasCount(page.getByRole('button', { name: 'Release +15550109999' }), 0);

      await page.getByRole('link', { name: 'Knowledge base', exact: true }).click();
      await page.getByRole('button', { name: 'Unpublish Parking guide' }).click();
      await containsText(rowWith(page, 'articles-table', 'Parking guide'), 'Draft');
      expect((await configItem('articles', 'parking-guide'))?.['status']).toBe('draft');

      for (const path of [
        '/admin/agents/new',
        '/admin/ivr',
        '/admin/team',
        '/admin/integrations',
        '/admin/billing',
      ]) {
        await page.goto(`${ui.url}${path}`);
        await hasText(page.getByRole('heading', { level: 1 }), 'Not allowed');
      }
    },
  );
});

describe('language, theme and layout', () => {
  it(
    'shows the agent editor in Spanish and dark mode, and the departments on a phone',
    { timeout: 90_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'tenant_admin');
      await page.getByRole('button', { name: /ES/ }).click();
      await page.getByRole('switch', { name: 'Modo oscuro' }).click();
      await page.getByRole('link', { name: 'Agentes de IA', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Agentes de IA');
      await page.getByRole('link', { name: 'Olivia', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Olivia');
      await isVisible(page.getByLabel('Voz', { exact: true }));
      await isVisible(page.getByRole('button', { name: 'Guardar cambios' }));
      expect(await navLinks(page, 'Navegación principal')).toContain('Plan y uso');
      await shot(page, 'admin-agent-dark-es');
      await expectAccessible(page, 'AI agent editor, dark, Spanish');

      const phone = await newPage({ width: 390, height: 844 });
      await signIn(phone, 'tenant_admin');
      await phone.goto(`${ui.url}/admin/departments`);
      await isVisible(rowWith(phone, 'departments-table', 'Reception'));
      await shot(phone, 'admin-departments-mobile');
      await expectAccessible(phone, 'departments on a phone');
      await phone.getByRole('button', { name: 'New department' }).click();
      await isVisible(phone.getByTestId('department-form').getByLabel('Name', { exact: true }));
      await shot(phone, 'admin-department-new-mobile');
    },
  );
});
