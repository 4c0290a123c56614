/** The recording consent card of the call settings page, in English (consent.es.ts has exactly these keys). */
export const consentEn = {
  consent: {
    outcome: 'Recording consent',
    outcomes: { given: 'Given', refused: 'Refused' },
    methods: { announcement: 'heard the announcement', key: 'by key', phrase: 'by phrase' },
    byKey: 'key {key}',
    title: 'Recording consent',
    hint: 'Whether calls are recorded and how callers agree. Callers hear the announcement before anything is recorded.',
    policy: 'Policy',
    policies: {
      off: 'Off: calls are not recorded',
      announce: 'Announce: record unless the caller opts out',
      opt_in: 'Opt in: record only once the caller agrees',
    },
    optOutKey: 'Opt-out key',
    optInKey: 'Opt-in key',
    optOutPhrases: 'Opt-out phrases',
    optInPhrases: 'Opt-in phrases',
    phrasesHint: 'Separated by commas; heard in what the caller says, whatever the case or punctuation.',
    announcement: 'Announcement ({language})',
    announcementHint:
      "Empty: the platform’s announcement, which names the keys. {'{optOut}'} and {'{optIn}'} are replaced by the keys.",
    save: 'Save recording consent',
    saved: 'Recording consent saved',
  },
};
