/** The GDPR screen (erasure and subject access), in English (compliance.es.ts has exactly these keys). */
export const complianceEn = {
  gdpr: {
    nav: 'GDPR requests',
    title: 'GDPR: erasure and subject access',
    subtitle:
      'Name a person by phone number, email address or contact id: export everything the tenant holds about them, or erase it from calls, transcripts, contacts, appointments, tickets, messages and recordings.',
    form: {
      title: 'A person',
      kind: 'Identified by',
      value: 'Phone, email or contact id',
      export: 'Export their data',
      erase: 'Erase their data',
      confirm: 'Erase everything held about {value}? This cannot be undone.',
      exported: '{file} saved: {count} records',
      erased: 'Erasure {id} started: {count} records',
    },
    kinds: { phone: 'Phone number', email: 'Email address', contact: 'Contact id' },
    erasures: 'Erasures',
    noErasures: 'No erasures yet.',
    columns: {
      erasure: 'Erasure',
      status: 'Status',
      requestedBy: 'Asked by',
      requestedAt: 'Asked',
      erasedAt: 'Done',
      counts: 'Erased',
    },
    status: { requested: 'Requested', planned: 'Erasing', erased: 'Erased' },
    certificate: {
      title: 'Certificate of erasure {id}',
      streams: 'Records',
      keys: 'Keys deleted',
      rows: 'Rows cleared',
      recordings: 'Recordings',
      none: 'none',
      show: 'Certificate',
    },
  },
};
