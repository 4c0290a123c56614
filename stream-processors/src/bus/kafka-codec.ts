import {
  decodeEvent,
  ERASED,
  ERASED_FIELDS_KEY,
  erasedElementPath,
  eventDefinition,
  eventDefinitions,
  eventJsonSchema,
  EventMetadata,
  parseStreamName,
  PERSONAL_FIELDS,
  type EventDefinition,
  type EventEnvelope,
  type Parsed,
  type StoredEvent,
} from '@ccp/schemas';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { RecordedEvent } from '@ccp/command-service';
import { topicOf } from './port.js';

/**
 * How events travel through Kafka: the stored form of an event (the schema version it was written with, personal
 * fields still sealed by the event store) as the JSON envelope of eventJsonSchema, behind the schema registry's
 * wire header. Consumers decrypt and upcast after reading, exactly as a reader of the event store does, so
 * topics hold no personal data in clear and erasing a subject's key erases it from Kafka too.
 */

/** personal-data.ts seals a field as this prefix + base64url; it does not export it, so it is repeated here. */
const SEALED_PREFIX = 'pii:v1:';
const SEALED_PATTERN = '^pii:v1:[A-Za-z0-9_-]+$';
/** A field or an array's element sealed with its own person's key (PERSONAL_ELEMENTS): kind, pseudonym, body. */
const ELEMENT_PREFIX = 'pii:e1:';
const ELEMENT_PATTERN = '^pii:e1:[a-z]+:[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

export const HEADER_POSITION = 'ccp-position';
export const HEADER_TYPE = 'ccp-type';
export const HEADER_VERSION = 'ccp-version';
/** W3C Trace Context, as the Kafka instrumentations of OpenTelemetry carry it: the header names of HTTP. */
export const HEADER_TRACEPARENT = 'traceparent';
export const HEADER_TRACESTATE = 'tracestate';

/**
 * The registry client validates JSON payloads with ajv 7, which knows neither the draft 2020-12 meta-schema
 * that zod declares nor zod's formats: it checks structure, types and patterns; zod checks the rest.
 */
export const registryClientOptions = {
  [SchemaType.JSON]: { strict: false, validateFormats: false, validateSchema: false, logger: false as const },
};

/** Matches the registry client's errors by name: its error classes are not exported from its entry point. */
export const errorNamed = (error: unknown, name: string): boolean =>
  error instanceof Error && error.name === name;

/** Every category some event belongs to: each gets its topic up front. */
export const knownCategories = (): string[] => [...new Set(eventDefinitions.map((d) => d.category))].sort();

/** A stream's category decides its topic, so that a stream's events share one partition and keep their order. */
export const categoryOf = (streamId: string, definition?: EventDefinition): string | undefined =>
  parseStreamName(streamId)?.category ?? definition?.category;

/**
 * One subject per event type and version (TopicRecordNameStrategy with the version in the record name). A
 * version's schema may then only change compatibly (BACKWARD: new readers read old messages); an incompatible
 * change needs a new version and an upcaster, which is how the event catalogue evolves anyway.
 */
export const subjectOf = (definition: Pick<EventDefinition, 'category' | 'type' | 'version'>): string =>
  `${topicOf(definition.category)}-${definition.type}.v${definition.version}`;

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Closes every object schema that lists its properties: under BACKWARD, an open content model refuses even a new
 * optional property, a closed one accepts it. Stored data went through zod, which strips unknown keys, so
 * nothing valid is lost by closing.
 */
const closeObjects = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = closeObjects(value);
  if (
    isObject(out.properties) &&
    out.additionalProperties === undefined &&
    out.patternProperties === undefined
  )
    out.additionalProperties = false;
  return out;
};

/**
 * A personal field may also hold its sealed form, or ERASED once its subject's key is gone; one sealed with its
 * person's key, or an array of such elements (some ERASED), where PERSONAL_ELEMENTS seals them one by one.
 */
const widenPersonal = (data: unknown, fields: readonly string[]): unknown => {
  if (!isObject(data)) return data;
  const out: JsonObject = { ...data };
  for (const branch of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = out[branch];
    if (Array.isArray(branches)) out[branch] = branches.map((b) => widenPersonal(b, fields));
  }
  if (isObject(out.properties)) {
    const properties: JsonObject = { ...out.properties };
    for (const field of fields) {
      const original = properties[field];
      if (original === undefined) continue;
      properties[field] = {
        anyOf: [
          original,
          { type: 'string', pattern: SEALED_PATTERN },
          { type: 'string', const: ERASED },
          { type: 'string', pattern: ELEMENT_PATTERN },
          {
            type: 'array',
            items: {
              anyOf: [
                { type: 'string', pattern: ELEMENT_PATTERN },
                { type: 'string', const: ERASED },
              ],
            },
          },
        ],
      };
    }
    out.properties = properties;
  }
  return out;
};

/**
 * zod writes draft 2020-12, which the registry's compatibility checker (Apicurio 2.6) cannot place ("could not
 * determine version") and ajv 7 does not know; what zod emits for events is draft-07 but for `$defs`, so it is
 * declared draft-07 with its definitions where draft-07 keeps them.
 */
const asDraft7 = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(asDraft7);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace(/^#\/\$defs\//, '#/definitions/');
    else out[key === '$defs' ? 'definitions' : key] = asDraft7(value);
  }
  return out;
};

const DRAFT_7 = 'http://json-schema.org/draft-07/schema#';

/** The JSON Schema registered for one event version: eventJsonSchema, closed, personal fields also sealed. */
export const registrySchemaOf = (definition: EventDefinition): JsonObject => {
  const schema: JsonObject = {
    ...(asDraft7(closeObjects(eventJsonSchema(definition))) as JsonObject),
    $schema: DRAFT_7,
  };
  const fields = PERSONAL_FIELDS[definition.type];
  if (!fields || !isObject(schema.properties)) return schema;
  return {
    ...schema,
    properties: { ...schema.properties, data: widenPersonal(schema.properties.data, fields) },
  };
};

/** The message value before the registry's header: the envelope of eventJsonSchema, in stored form. */
export interface WireEnvelope {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly tenantId: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly causationId: string | null;
  readonly correlationId: string;
  readonly actor: EventMetadata['actor'];
  readonly data: unknown;
}

const isSealedOrErased = (value: unknown): boolean =>
  typeof value === 'string' &&
  (value.startsWith(SEALED_PREFIX) || value.startsWith(ELEMENT_PREFIX) || value === ERASED);

const invalid = (code: string, message: string, field: string): Parsed<never> => ({
  ok: false,
  error: { code, message, field },
});

/**
 * Checks a stored event the way decodeEvent would (metadata, a known type and version, data valid for it) while
 * its personal fields may still be sealed, and shapes it for the wire. What fails here is rejected by the relay.
 */
export const toWire = (
  recorded: RecordedEvent,
): Parsed<{ definition: EventDefinition; envelope: WireEnvelope }> => {
  const meta = EventMetadata.safeParse(recorded.metadata);
  if (!meta.success) {
    const issue = meta.error.issues[0];
    return invalid(
      'INVALID_METADATA',
      issue?.message ?? 'invalid metadata',
      `metadata.${issue?.path.join('.')}`,
    );
  }
  const definition = eventDefinition(recorded.type, meta.data.version);
  if (!definition) {
    return invalid('UNKNOWN_EVENT', `no schema for ${recorded.type} v${meta.data.version}`, 'type');
  }
  const parsed = definition.data.safeParse(recorded.data);
  if (!parsed.success) {
    const personal = PERSONAL_FIELDS[recorded.type] ?? [];
    const data = isObject(recorded.data) ? recorded.data : {};
    const remaining = parsed.error.issues.filter((issue) => {
      const field = issue.path[0];
      if (typeof field !== 'string' || !personal.includes(field)) return true;
      const value = data[field];
      // An element of a field sealed one by one: sealed, or ERASED where a relay read it erased.
      const element = Array.isArray(value) ? (value as unknown[])[Number(issue.path[1])] : value;
      return !isSealedOrErased(element);
    });
    const issue = remaining[0];
    if (issue) return invalid('INVALID_DATA', issue.message, `data.${issue.path.join('.')}`);
  }
  const { version, tenantId, occurredAt, causationId, correlationId, actor } = meta.data;
  return {
    ok: true,
    value: {
      definition,
      envelope: {
        id: recorded.id,
        type: recorded.type,
        version,
        tenantId,
        streamId: recorded.streamId,
        occurredAt,
        causationId,
        correlationId,
        actor,
        data: recorded.data,
      },
    },
  };
};

/** Turns a stored event's personal fields back into clear text (or ERASED); identity when topics carry clear text. */
export type Decrypt = (event: StoredEvent) => StoredEvent | Promise<StoredEvent>;

/** The stored event a wire envelope carries, as a decryptor and decodeEvent expect it. */
export const fromWire = (wire: unknown): Parsed<StoredEvent> => {
  if (!isObject(wire) || typeof wire.id !== 'string' || typeof wire.type !== 'string')
    return invalid('INVALID_ENVELOPE', 'not an event envelope', 'value');
  if (typeof wire.streamId !== 'string') return invalid('INVALID_ENVELOPE', 'no stream id', 'streamId');
  const { id, type, streamId, data, ...metadata } = wire;
  return { ok: true, value: { id, type, streamId, data, metadata } };
};

/**
 * Decrypts and reads a stored event as the latest version of its type. Fields already ERASED (a relay fed by a
 * decrypting store) are listed as erased, as the event store does, so that decodeEvent accepts them.
 */
export const readStored = async (stored: StoredEvent, decrypt: Decrypt): Promise<Parsed<EventEnvelope>> => {
  const clear = await decrypt(stored);
  const personal = PERSONAL_FIELDS[clear.type] ?? [];
  const data = isObject(clear.data) ? clear.data : {};
  const metadata = isObject(clear.metadata) ? clear.metadata : {};
  const erased = personal.flatMap((field) => {
    const value = data[field];
    if (value === ERASED) return [field];
    if (!Array.isArray(value)) return [];
    return (value as unknown[]).flatMap((element, i) =>
      element === ERASED ? [erasedElementPath(field, i)] : [],
    );
  });
  const known = Array.isArray(metadata[ERASED_FIELDS_KEY]) ? (metadata[ERASED_FIELDS_KEY] as unknown[]) : [];
  if (erased.length === 0 || erased.every((field) => known.includes(field))) return decodeEvent(clear);
  return decodeEvent({
    ...clear,
    metadata: { ...metadata, [ERASED_FIELDS_KEY]: [...new Set([...known, ...erased])] },
  });
};
