import { describe, expect, it } from 'vitest';
import { RecordingConsent } from '@ccp/schemas';
import { announcementOf, confirmationOf, consentAnswer } from './recording-consent.js';

const policy = (input: Record<string, unknown>) => RecordingConsent.parse(input);

describe('recording consent rules', () => {
  it('announces nothing when the tenant records nothing, and the default in the call’s language otherwise', () => {
    expect(announcementOf(policy({ policy: 'off' }), 'en')).toBeUndefined();
    expect(announcementOf(policy({ policy: 'announce' }), 'en')).toMatch(
      /recorded .* press 9 or say: do not record/,
    );
    expect(announcementOf(policy({ policy: 'announce', optOutKey: '#' }), 'es-MX')).toMatch(
      /se graba .* pulse # o diga: no grabar/,
    );
    expect(announcementOf(policy({ policy: 'opt_in' }), 'en')).toMatch(/press 1 or say: you may record/);
    // A language with no default hears English rather than nothing.
    expect(announcementOf(policy({ policy: 'announce' }), 'de')).toMatch(/recorded/);
  });

  it('says the tenant’s own announcement, by exact or base language, with its keys filled in', () => {
    const own = policy({
      policy: 'announce',
      optOutKey: '7',
      announcements: { en: 'Acme records calls. Press {optOut} to opt out.', 'pt-BR': 'Gravamos.' },
    });
    expect(announcementOf(own, 'en-US')).toBe('Acme records calls. Press 7 to opt out.');
    expect(announcementOf(own, 'pt-BR')).toBe('Gravamos.');
    expect(announcementOf(own, 'es')).toMatch(/pulse 7/);
  });

  it('hears the opt-out key or a phrase, whatever the punctuation and apostrophe, as a refusal', () => {
    const announce = policy({ policy: 'announce' });
    expect(consentAnswer(announce, { digits: '9' })).toEqual({ outcome: 'refused', method: 'key', key: '9' });
    expect(consentAnswer(announce, { text: 'Please, DON’T record this!' })).toEqual({
      outcome: 'refused',
      method: 'phrase',
    });
    expect(consentAnswer(announce, { text: 'por favor no grabar' })).toEqual({
      outcome: 'refused',
      method: 'phrase',
    });
    expect(consentAnswer(announce, { digits: '5' })).toBeUndefined();
    expect(consentAnswer(announce, { text: 'I would like to book an appointment' })).toBeUndefined();
    // Part of a word is not the phrase.
    expect(
      consentAnswer(policy({ policy: 'announce', optOutPhrases: ['no rec'] }), { text: 'no record' }),
    ).toBe(undefined);
  });

  it('hears consent only under opt_in; a refusal in the same words wins', () => {
    expect(consentAnswer(policy({ policy: 'announce' }), { digits: '1' })).toBeUndefined();
    expect(consentAnswer(policy({ policy: 'announce' }), { text: 'you may record' })).toBeUndefined();
    const optIn = policy({ policy: 'opt_in' });
    expect(consentAnswer(optIn, { digits: '1' })).toEqual({ outcome: 'given', method: 'key', key: '1' });
    expect(consentAnswer(optIn, { text: 'Yes, you may record.' })).toEqual({
      outcome: 'given',
      method: 'phrase',
    });
    expect(consentAnswer(optIn, { text: 'you may record? no, do not record' })).toEqual({
      outcome: 'refused',
      method: 'phrase',
    });
    expect(consentAnswer(policy({ policy: 'off' }), { digits: '9' })).toBeUndefined();
  });

  it('confirms in the call’s language', () => {
    expect(confirmationOf('refused', 'es-ES')).toMatch(/no se graba/);
    expect(confirmationOf('given', 'en')).toMatch(/now recorded/);
  });

  it('refuses settings where the keys or phrases clash, and keys that are not one key', () => {
    expect(RecordingConsent.safeParse({ policy: 'announce', optInKey: '9' }).error?.issues[0]?.path).toEqual([
      'optInKey',
    ]);
    expect(
      RecordingConsent.safeParse({ policy: 'opt_in', optInPhrases: ['No grabar'] }).error?.issues[0]?.path,
    ).toEqual(['optInPhrases', 0]);
    expect(RecordingConsent.safeParse({ policy: 'announce', optOutKey: '99' }).success).toBe(false);
    expect(RecordingConsent.safeParse({ policy: 'sometimes' }).success).toBe(false);
  });
});
