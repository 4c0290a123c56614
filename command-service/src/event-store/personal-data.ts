import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ERASED,
  ERASED_FIELDS_KEY,
  erasedElementPath,
  PERSONAL_ELEMENTS,
  PERSONAL_FIELDS,
  SECRET_FIELDS,
} from '@ccp/schemas';
import type { EventStore, NewEvent, RecordedEvent, Subscription } from './port.js';
import type Database from 'better-sqlite3';
import { openPrivateDatabase } from './private-sqlite.js';

const PREFIX = 'pii:v1:';
/** An element sealed with its own person's key (PERSONAL_ELEMENTS): `pii:e1:<kind>:<tag>.<ciphertext>`. */
const ELEMENT_PREFIX = 'pii:e1:';
const ELEMENT_PATTERN = /^pii:e1:([a-z]+):([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const SECRET_PREFIX = 'secret:v1:';

/** One AES-256-GCM key per subject, kept wrapped by a master key; erasing a subject deletes its key. */
export interface SubjectKeys {
  /** The subject's key, made on first use; throws for a subject that was erased (see keyUnlessErased). */
  keyFor(subject: string): Buffer;
  /**
   * The subject's key, made on first use, or undefined once the subject (or a prefix of it) was erased: erasure
   * is final, and what would be sealed with a new key is written as erased instead.
   */
  keyUnlessErased(subject: string): Buffer | undefined;
  /** keyUnlessErased of each, the missing keys made in one write (a chunk of 1,000 leads, a key each). */
  keysUnlessErased(subjects: readonly string[]): (Buffer | undefined)[];
  /** The subject's key, or undefined once it was erased (or never existed). */
  existingKey(subject: string): Buffer | undefined;
  /**
   * Erases one subject, or every subject starting with `prefix` when it ends with ':', and remembers it (a
   * tombstone, not the key) so that no key is ever made for it again.
   */
  erase(subjectOrPrefix: string): number;
  /**
   * A stand-in for a value that names a person (a lead's number within its campaign), keyed by the master key:
   * the same value gives the same stand-in, which tells nothing of the value to whoever lacks the key.
   */
  pseudonym(value: string): string;
  close(): void;
}

/**
 * Random bytes for keys and IVs, drawn from the CSPRNG 64 KiB at a time: a chunk of 1,000 leads takes three
 * draws per lead (its key, the key's wrapping IV, its element's IV), and each draw's fixed cost was most of
 * sealing one. Every byte is used once; each returned buffer is a copy, so no key shares memory with another.
 */
let pool = Buffer.alloc(0);
let drawn = 0;
const random = (size: number): Buffer => {
  if (drawn + size > pool.length) {
    pool = randomBytes(65_536);
    drawn = 0;
  }
  const bytes = Buffer.from(pool.subarray(drawn, drawn + size));
  pool.fill(0, drawn, drawn + size);
  drawn += size;
  return bytes;
};

const seal = (key: Buffer, plaintext: Buffer): Buffer => {
  const iv = random(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
};

const open = (key: Buffer, sealed: Buffer): Buffer => {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
};

/** Secrets kept outside the log (a user's TOTP seed), sealed with their subject's key: erasing it erases them. */
export interface SubjectSecrets {
  seal(subject: string, plaintext: string): string;
  /** Undefined once the subject's key was erased. */
  open(subject: string, sealed: string): string | undefined;
}

export const subjectSecrets = (keys: SubjectKeys): SubjectSecrets => ({
  seal: (subject, plaintext) => seal(keys.keyFor(subject), Buffer.from(plaintext)).toString('base64url'),
  open: (subject, sealed) => {
    const key = keys.existingKey(subject);
    return key ? open(key, Buffer.from(sealed, 'base64url')).toString() : undefined;
  },
});

/**
 * The master key comes from CCP_MASTER_KEY (base64 of 32 bytes) in production; the embedded platform makes one
 * in its data directory on first start so that no key has to be set by hand.
 */
export const masterKeyFrom = (fromEnv: string | undefined, file: string): Buffer => {
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error('CCP_MASTER_KEY must be 32 bytes, base64-encoded');
    return key;
  }
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  // One an older version wrote 0644 is closed: whoever reads it reads every subject's personal data.
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
};

/** The key store's tables, made when missing (a store an older release wrote has no tombstones yet). */
const keyStoreTables = (db: Database.Database): void => {
  db.exec(
    'CREATE TABLE IF NOT EXISTS subject_keys (subject TEXT PRIMARY KEY, wrapped BLOB NOT NULL) WITHOUT ROWID',
  );
  // Tombstones: subjects (and prefixes, ending in ':') erased, so that a late write never gets a fresh key.
  db.exec('CREATE TABLE IF NOT EXISTS erased_subjects (subject TEXT PRIMARY KEY) WITHOUT ROWID');
  db.exec('CREATE TABLE IF NOT EXISTS erased_prefixes (prefix TEXT PRIMARY KEY) WITHOUT ROWID');
};

/**
 * Erases one subject, or every subject starting with a prefix ending in ':', and remembers it, in one write
 * transaction; the number of keys deleted.
 */
const keyEraser = (db: Database.Database): ((subjectOrPrefix: string) => number) => {
  const tombstone = db.prepare<[string]>(
    'INSERT INTO erased_subjects (subject) VALUES (?) ON CONFLICT DO NOTHING',
  );
  const prefixTombstone = db.prepare<[string]>(
    'INSERT INTO erased_prefixes (prefix) VALUES (?) ON CONFLICT DO NOTHING',
  );
  const deleteOne = db.prepare<[string]>('DELETE FROM subject_keys WHERE subject = ?');
  const deletePrefix = db.prepare<[string, string]>(
    'DELETE FROM subject_keys WHERE subject >= ? AND subject < ?',
  );
  const erase = db.transaction((subjectOrPrefix: string): number => {
    if (subjectOrPrefix.endsWith(':')) {
      prefixTombstone.run(subjectOrPrefix);
      // The range [prefix, prefix with its last character incremented) holds exactly the prefixed subjects.
      const upper =
        subjectOrPrefix.slice(0, -1) +
        String.fromCharCode(subjectOrPrefix.charCodeAt(subjectOrPrefix.length - 1) + 1);
      return deletePrefix.run(subjectOrPrefix, upper).changes;
    }
    tombstone.run(subjectOrPrefix);
    return deleteOne.run(subjectOrPrefix).changes;
  });
  return (subjectOrPrefix) => erase.immediate(subjectOrPrefix);
};

/**
 * Erases subjects (prefixes included) in a key store that no platform has open, e.g. one a restore is putting
 * in place: their keys go and their tombstones stay, as SubjectKeys.erase leaves them. No master key is needed.
 * The number of keys deleted.
 */
export const eraseSubjectsInKeyStore = (path: string, subjects: readonly string[]): number => {
  const db = openPrivateDatabase(path);
  try {
    db.pragma('busy_timeout = 10000');
    keyStoreTables(db);
    const erase = keyEraser(db);
    return db.transaction(() => subjects.reduce((deleted, subject) => deleted + erase(subject), 0))();
  } finally {
    db.close();
  }
};

export const createSqliteSubjectKeys = (path: string, masterKey: Buffer): SubjectKeys => {
  const db = openPrivateDatabase(path);
  // Set first: switching a new file to WAL takes a lock another process may hold at that moment.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  keyStoreTables(db);
  // Prefixes are few (a whole tenant, a campaign): read whole; subjects are many: looked up.
  const erasedPrefixes = db.prepare<[], { prefix: string }>('SELECT prefix FROM erased_prefixes');
  const get = db.prepare<[string], { wrapped: Buffer }>('SELECT wrapped FROM subject_keys WHERE subject = ?');
  const insert = db.prepare<[string, Buffer]>(
    'INSERT INTO subject_keys (subject, wrapped) VALUES (?, ?) ON CONFLICT DO NOTHING',
  );
  // Bounded: with a key per lead, a platform reads far more subjects than it needs at hand at once.
  const cache = new Map<string, Buffer>();
  const CACHED_KEYS = 100_000;
  // Its own key, derived: a stand-in never helps to unwrap a subject's key.
  const pseudonymKey = createHmac('sha256', masterKey).update('ccp subject pseudonyms v1').digest();

  const remember = (subject: string, key: Buffer): Buffer => {
    cache.set(subject, key);
    if (cache.size > CACHED_KEYS) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return key;
  };
  const existingKey = (subject: string): Buffer | undefined => {
    const cached = cache.get(subject);
    if (cached) return cached;
    const row = get.get(subject);
    if (!row) return undefined;
    return remember(subject, open(masterKey, row.wrapped));
  };

  // Checked and created in one write transaction, as erasing deletes and remembers in one: whichever comes
  // first, another process never makes a key for a subject erased a moment before.
  // A chunk's subjects are looked up in one statement each way, not one per lead.
  const erasedAmong = db.prepare<[string], { subject: string }>(
    'SELECT subject FROM erased_subjects WHERE subject IN (SELECT value FROM json_each(?))',
  );
  const wrappedAmong = db.prepare<[string], { subject: string; wrapped: Buffer }>(
    'SELECT subject, wrapped FROM subject_keys WHERE subject IN (SELECT value FROM json_each(?))',
  );
  const create = db
    .transaction((subjects: readonly string[]): Map<string, Buffer | 'erased' | 'theirs'> => {
      const made = new Map<string, Buffer | 'erased' | 'theirs'>();
      const prefixes = erasedPrefixes.all().map((row) => row.prefix);
      const erased = new Set(erasedAmong.all(JSON.stringify(subjects)).map((row) => row.subject));
      for (const subject of subjects) {
        if (erased.has(subject) || prefixes.some((prefix) => subject.startsWith(prefix))) {
          made.set(subject, 'erased');
          continue;
        }
        // Another process may create the same subject's key at the same moment: the first insert wins for both.
        const key = random(32);
        made.set(subject, insert.run(subject, seal(masterKey, key)).changes === 1 ? key : 'theirs');
      }
      return made;
    })
    .immediate.bind(null);
  const keysUnlessErased = (subjects: readonly string[]): (Buffer | undefined)[] => {
    const missing = [...new Set(subjects.filter((subject) => !cache.has(subject)))];
    if (missing.length > 0) {
      for (const row of wrappedAmong.all(JSON.stringify(missing)))
        remember(row.subject, open(masterKey, row.wrapped));
    }
    const found = subjects.map((subject) => cache.get(subject));
    const unknown = [...new Set(subjects.filter((_, i) => found[i] === undefined))];
    if (unknown.length === 0) return found;
    const made = create(unknown);
    return subjects.map((subject, i) => {
      const key = found[i] ?? made.get(subject);
      if (key === 'erased') return undefined;
      if (key instanceof Buffer) return remember(subject, key);
      const theirs = existingKey(subject);
      if (!theirs) throw new Error(`no key for ${subject}`);
      return theirs;
    });
  };
  const keyUnlessErased = (subject: string): Buffer | undefined => keysUnlessErased([subject])[0];
  const eraseNow = keyEraser(db);

  return {
    existingKey,
    keyUnlessErased,
    keysUnlessErased,
    keyFor: (subject) => {
      const key = keyUnlessErased(subject);
      if (!key) throw new Error(`${subject} was erased: no key is made for it again`);
      return key;
    },
    erase: (subjectOrPrefix) => {
      cache.delete(subjectOrPrefix);
      if (subjectOrPrefix.endsWith(':'))
        for (const subject of [...cache.keys()])
          if (subject.startsWith(subjectOrPrefix)) cache.delete(subject);
      return eraseNow(subjectOrPrefix);
    },
    pseudonym: (value) =>
      createHmac('sha256', pseudonymKey).update(value).digest().subarray(0, 16).toString('base64url'),
    close: () => db.close(),
  };
};

/**
 * A secret field as the log holds it (`secret:v1:…`), opened: the value the command carried. Undefined when the
 * subject's key was erased (the connection was removed, the tenant erased) or the value is not a sealed secret.
 */
export const openSecret = (
  keys: SubjectKeys,
  tenantId: string,
  streamId: string,
  sealed: unknown,
): unknown => {
  if (typeof sealed !== 'string' || !sealed.startsWith(SECRET_PREFIX)) return undefined;
  const key = keys.existingKey(subjectOf(tenantId, streamId));
  if (!key) return undefined;
  return JSON.parse(
    open(key, Buffer.from(sealed.slice(SECRET_PREFIX.length), 'base64url')).toString(),
  ) as unknown;
};

/** Subjects are per tenant and stream: `acme:member-acme.u1`. Erasing `acme:` erases the whole tenant. */
export const subjectOf = (tenantId: string, streamId: string): string => `${tenantId}:${streamId}`;

/**
 * The subject of one person's data within a stream shared with others (PERSONAL_ELEMENTS): `person` is how the
 * stream names them (`lead:+15550001111`), stood in for by its pseudonym, so that neither the key store nor the
 * log holds the number in clear: `acme:campaign-acme.c1:lead:<pseudonym>`, the subject of the person's part of
 * the stream, `campaign-acme.c1:lead:<pseudonym>` (`part`): an erasure names it as it names a stream, and the
 * restore's erasure ledger re-erases it as it does a stream's. Erasing the stream's subject with a trailing ':'
 * (or the tenant's) erases every such subject with it.
 */
export const personSubjectOf = (
  keys: Pick<SubjectKeys, 'pseudonym'>,
  tenantId: string,
  streamId: string,
  person: string,
): { readonly subject: string; readonly part: string; readonly kind: string; readonly tag: string } => {
  const kind = /^([a-z]+):/.exec(person)?.[1] ?? 'person';
  const tag = keys.pseudonym(`${subjectOf(tenantId, streamId)}:${person}`);
  const part = `${streamId}:${kind}:${tag}`;
  return { subject: subjectOf(tenantId, part), part, kind, tag };
};

const tenantOf = (metadata: unknown): string => {
  const tenantId = (metadata as { tenantId?: unknown } | null)?.tenantId;
  return typeof tenantId === 'string' ? tenantId : '_';
};

/**
 * Gives `event` the data `read` makes, made when it is first read and then kept as a plain property. Readers of
 * the whole log (a reactor waiting for a few types, a follower of one category) mostly never look at an event's
 * data: a 1,000-lead chunk of an import is then neither decrypted nor parsed for them.
 */
const withDataOnFirstRead = (event: RecordedEvent, read: () => unknown): RecordedEvent => {
  const settle = (data: unknown): void => {
    Object.defineProperty(event, 'data', {
      value: data,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  };
  Object.defineProperty(event, 'data', {
    enumerable: true,
    configurable: true,
    get: () => {
      const data = read();
      settle(data);
      return data;
    },
    set: settle,
  });
  return event;
};

/**
 * An event store whose personal fields (PERSONAL_FIELDS) are encrypted on the way in and decrypted on the way
 * out. Whatever holds the log (a SQLite file, EventStoreDB, Kafka topics fed from it) holds only ciphertext
 * for them; after erasure those fields read as ERASED and are listed in the metadata.
 */
export const withPersonalDataEncryption = (store: EventStore, keys: SubjectKeys): EventStore => {
  /**
   * `value` sealed with the key of the person `person` names within the stream, tagged with that key's name;
   * ERASED when that person was erased.
   */
  const sealElements = (
    tenantId: string,
    streamId: string,
    persons: readonly string[],
    values: readonly unknown[],
  ): string[] => {
    const named = persons.map((person) => personSubjectOf(keys, tenantId, streamId, person));
    const found = keys.keysUnlessErased(named.map((n) => n.subject));
    return values.map((value, i) => {
      const key = found[i];
      const { kind, tag } = named[i] ?? { kind: '', tag: '' };
      if (!key) return ERASED;
      const sealed = seal(key, Buffer.from(JSON.stringify(value))).toString('base64url');
      return `${ELEMENT_PREFIX}${kind}:${tag}.${sealed}`;
    });
  };

  const encrypt = (streamId: string, event: NewEvent): NewEvent => {
    const personal = PERSONAL_FIELDS[event.type] ?? [];
    const secret = SECRET_FIELDS[event.type] ?? [];
    if (personal.length + secret.length === 0 || typeof event.data !== 'object' || event.data === null)
      return event;
    const tenantId = tenantOf(event.metadata);
    const data = { ...(event.data as Record<string, unknown>) };
    const elements = PERSONAL_ELEMENTS[event.type];
    const sealedApart = new Set<string>();
    // Fields (and elements) of a subject erased before this event: written as erased, listed as they are on read.
    const erased: string[] = [];
    if (elements?.each) {
      for (const field of elements.fields) {
        const values = data[field];
        if (!Array.isArray(values)) continue;
        // One person each: an element nobody can be named for (no number) goes with the stream's key.
        const persons = values.map((value) => elements.personOf(value));
        if (persons.some((person) => person === undefined)) continue;
        const sealed = sealElements(
          tenantId,
          streamId,
          persons.map((person) => person ?? ''),
          values,
        );
        sealed.forEach((element, i) => {
          if (element === ERASED) erased.push(erasedElementPath(field, i));
        });
        data[field] = sealed;
        sealedApart.add(field);
      }
    } else if (elements) {
      const person = elements.personOf(data);
      for (const field of person === undefined ? [] : elements.fields) {
        if (data[field] === undefined) continue;
        [data[field]] = sealElements(tenantId, streamId, [person ?? ''], [data[field]]);
        if (data[field] === ERASED) erased.push(field);
        sealedApart.add(field);
      }
    }
    let key: Buffer | undefined | null;
    const sealField = (field: string, prefix: string): void => {
      // Every value is sealed, whatever it looks like: text that starts like a sealed field is still the
      // caller's own words, and left clear it could neither be erased nor read back.
      if (data[field] === undefined || sealedApart.has(field)) return;
      if (key === undefined) key = keys.keyUnlessErased(subjectOf(tenantId, streamId)) ?? null;
      if (key === null) {
        // Erased while it was still being written to (a call in progress): erasure is final.
        data[field] = ERASED;
        erased.push(field);
        return;
      }
      data[field] = prefix + seal(key, Buffer.from(JSON.stringify(data[field]))).toString('base64url');
    };
    for (const field of personal) sealField(field, PREFIX);
    for (const field of secret) sealField(field, SECRET_PREFIX);
    if (erased.length === 0) return { ...event, data };
    return { ...event, data, metadata: { ...(event.metadata as object), [ERASED_FIELDS_KEY]: erased } };
  };

  const decrypt = (event: RecordedEvent): RecordedEvent => {
    const fields = PERSONAL_FIELDS[event.type];
    if (!fields || typeof event.data !== 'object' || event.data === null) return event;
    const stored = event.data as Record<string, unknown>;
    const tenantId = tenantOf(event.metadata);
    const isElement = (value: unknown): value is string =>
      typeof value === 'string' && value.startsWith(ELEMENT_PREFIX);
    const sealed = fields.filter((field) => {
      const value = stored[field];
      return typeof value === 'string' && value.startsWith(PREFIX);
    });
    const apart = fields.filter((field) => {
      const value = stored[field];
      return isElement(value) || (Array.isArray(value) && value.some(isElement));
    });
    if (sealed.length + apart.length === 0) return { ...event, data: { ...stored } };
    // Looked up now: the key the event is read with is the one of the moment it was read.
    const key = sealed.length === 0 ? undefined : keys.existingKey(subjectOf(tenantId, event.streamId));
    /** The key an element was sealed with, named by its tag; undefined once that person was erased. */
    const elementKey = (value: string): { key: Buffer; body: string } | undefined => {
      const match = ELEMENT_PATTERN.exec(value);
      if (!match) return undefined;
      const [, kind = '', tag = '', body = ''] = match;
      const found = keys.existingKey(`${subjectOf(tenantId, event.streamId)}:${kind}:${tag}`);
      return found && { key: found, body };
    };
    const erased: string[] = [];
    if (!key) erased.push(...sealed);
    const openElements = new Map<string, { key: Buffer; body: string }>();
    for (const field of apart) {
      const value = stored[field];
      const list = Array.isArray(value) ? value : [value];
      list.forEach((element, i) => {
        if (!isElement(element)) return;
        const opened = elementKey(element);
        if (opened) openElements.set(element, opened);
        else erased.push(Array.isArray(value) ? erasedElementPath(field, i) : field);
      });
    }
    const openOne = (opener: Buffer, body: string, value: string): unknown => {
      try {
        return JSON.parse(open(opener, Buffer.from(body, 'base64url')).toString()) as unknown;
      } catch {
        // Not ciphertext after all: text that only looked sealed, stored clear by a version that skipped
        // such values. It reads as stored rather than stopping every reader of the log at this event.
        return value;
      }
    };
    const clearElement = (element: unknown): unknown => {
      if (!isElement(element)) return element;
      const opened = openElements.get(element);
      return opened ? openOne(opened.key, opened.body, element) : ERASED;
    };
    const clear = (): Record<string, unknown> => {
      const data = { ...stored };
      for (const field of sealed) {
        const value = stored[field] as string;
        data[field] = key ? openOne(key, value.slice(PREFIX.length), value) : ERASED;
      }
      for (const field of apart) {
        const value = stored[field];
        data[field] = Array.isArray(value) ? value.map(clearElement) : clearElement(value);
      }
      return data;
    };
    // Fields written erased (their subject erased before the event) are listed in the stored metadata already.
    const known = (event.metadata as Record<string, unknown> | null)?.[ERASED_FIELDS_KEY];
    const listed = [...new Set([...(Array.isArray(known) ? (known as string[]) : []), ...erased])];
    const read =
      erased.length === 0
        ? event
        : { ...event, metadata: { ...(event.metadata as object), [ERASED_FIELDS_KEY]: listed } };
    return withDataOnFirstRead({ ...read }, clear);
  };

  return {
    append: (streamId, events, expected) =>
      store.append(
        streamId,
        events.map((e) => encrypt(streamId, e)),
        expected,
      ),
    readStream: async (streamId, options) => (await store.readStream(streamId, options)).map(decrypt),
    readAll: async (options) => (await store.readAll(options)).map(decrypt),
    subscribe: (options): Subscription => {
      const inner = store.subscribe(options);
      return {
        async *[Symbol.asyncIterator]() {
          for await (const event of inner) yield decrypt(event);
        },
        close: () => inner.close(),
      };
    },
    close: () => store.close(),
  };
};
