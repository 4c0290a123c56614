import {
  ERASED,
  ERASED_FIELDS_KEY,
  erasedElementPath,
  PERSONAL_ELEMENTS,
  PERSONAL_FIELDS,
  SECRET_FIELDS,
} from '@ccp/schemas';
import type { EventStore, NewEvent, RecordedEvent, Subscription } from './port.js';
import { open, seal, type SubjectKeys } from './subject-keys.js';

// The key store is used through this module, the event store's personal-data face.
export {
  createSqliteSubjectKeys,
  eraseSubjectsInKeyStore,
  masterKeyFrom,
  subjectSecrets,
  type SubjectKeys,
  type SubjectSecrets,
} from './subject-keys.js';

const PREFIX = 'pii:v1:';
/** An element sealed with its own person's key (PERSONAL_ELEMENTS): `pii:e1:<kind>:<tag>.<ciphertext>`. */
const ELEMENT_PREFIX = 'pii:e1:';
const ELEMENT_PATTERN = /^pii:e1:([a-z]+):([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const SECRET_PREFIX = 'secret:v1:';

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
