import { describe, expect, it } from 'vitest';
import { ArchiveCallScript, CreateCallScript, UpdateCallScript, parseWith } from '@ccp/schemas';
import { fold } from './decider.js';
import { scriptDecider, type ScriptCommand, type ScriptEvent } from './script.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(scriptDecider);
// Emmett's then() matches a subset and cannot compare nulls or empty arrays; these cases need exact events.
const decided = (events: ScriptEvent[], c: ScriptCommand) =>
  scriptDecider.decide(c, fold(scriptDecider, events));

const key = { tenantId: 'acme', scriptId: 'renewal' };
const script = {
  name: 'Renewal call',
  opening: 'Hi, this is Acme calling about your plan.',
  steps: [
    { id: 'ask-renew', prompt: 'Would you like to renew for another year?', expectedIntent: 'confirm' },
    { id: 'ask-upgrade', prompt: 'Shall I tell you about the premium plan?' },
  ],
  closing: 'Thanks for your time.',
};
const created: ScriptEvent = {
  type: 'CallScriptCreated',
  data: {
    ...script,
    agentType: 'sales',
    objections: [{ objection: 'Too expensive', response: 'We can offer 10% off.' }],
    language: 'en',
  },
};
const archived: ScriptEvent = { type: 'CallScriptArchived', data: {} };

describe('call script decider', () => {
  describe('CreateCallScript', () => {
    it('creates a script for any agent, in English, with no objections by default', () =>
      expect(decided([], command(CreateCallScript, { ...key, ...script }))).toStrictEqual([
        { type: 'CallScriptCreated', data: { ...script, objections: [], language: 'en' } },
      ]));

    it('keeps the given agent type, objections and language', () =>
      given([])
        .when(
          command(CreateCallScript, {
            ...key,
            ...script,
            agentType: 'sales',
            objections: [{ objection: 'Too expensive', response: 'We can offer 10% off.' }],
          }),
        )
        .then([created]));

    it('refuses a script id that is taken', () =>
      given([created])
        .when(command(CreateCallScript, { ...key, ...script }))
        .thenThrows(refusedWith('SCRIPT_EXISTS')));

    it('refuses two steps with one id', () =>
      expect(
        parseWith(CreateCallScript.data, {
          ...key,
          ...script,
          steps: [
            { id: 'ask', prompt: 'one' },
            { id: 'ask', prompt: 'two' },
          ],
        }),
      ).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: 'steps.1.id' } }));
  });

  describe('UpdateCallScript', () => {
    it('records only the fields that change', () =>
      given([created])
        .when(
          command(UpdateCallScript, {
            ...key,
            name: 'Renewal call',
            closing: 'Have a great day!',
            steps: [{ id: 'ask-renew', prompt: 'Shall we renew?' }],
          }),
        )
        .then([
          {
            type: 'CallScriptUpdated',
            data: {
              changes: {
                closing: 'Have a great day!',
                steps: [{ id: 'ask-renew', prompt: 'Shall we renew?' }],
              },
            },
          },
        ]));

    it('treats restating the current script as already done', () =>
      given([created, { type: 'CallScriptUpdated', data: { changes: { language: 'es' } } }])
        .when(command(UpdateCallScript, { ...key, language: 'es', steps: script.steps }))
        .thenNothingHappened());

    it('opens a script to any agent with a null agent type', () => {
      const anyAgent: ScriptEvent = { type: 'CallScriptUpdated', data: { changes: { agentType: null } } };
      expect(decided([created], command(UpdateCallScript, { ...key, agentType: null }))).toStrictEqual([
        anyAgent,
      ]);
      given([created, anyAgent])
        .when(command(UpdateCallScript, { ...key, agentType: null }))
        .thenNothingHappened();
    });

    it('refuses to change an archived script', () =>
      given([created, archived])
        .when(command(UpdateCallScript, { ...key, name: 'Revived' }))
        .thenThrows(refusedWith('SCRIPT_ARCHIVED')));

    it('refuses to change a script that does not exist', () =>
      given([])
        .when(command(UpdateCallScript, { ...key, name: 'x' }))
        .thenThrows(refusedWith('SCRIPT_NOT_FOUND')));

    it('refuses an update that names nothing to change', () =>
      expect(parseWith(UpdateCallScript.data, key)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', field: '' },
      }));
  });

  describe('ArchiveCallScript', () => {
    it('archives a script', () => given([created]).when(command(ArchiveCallScript, key)).then([archived]));

    it('archiving twice is one archive', () =>
      given([created, archived]).when(command(ArchiveCallScript, key)).thenNothingHappened());

    it('refuses to archive a script that does not exist', () =>
      given([]).when(command(ArchiveCallScript, key)).thenThrows(refusedWith('SCRIPT_NOT_FOUND')));
  });
});
