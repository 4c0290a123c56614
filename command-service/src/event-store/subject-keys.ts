import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { openPrivateDatabase } from './private-sqlite.js';

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

/** AES-256-GCM: IV, tag and ciphertext in one buffer. */
export const seal = (key: Buffer, plaintext: Buffer): Buffer => {
  const iv = random(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
};

export const open = (key: Buffer, sealed: Buffer): Buffer => {
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
