import type { Connection, Secrets } from '../connections.js';
import {
  excerpt,
  MAX_JSON_ANSWER_BYTES,
  readBounded,
  resultOfError,
  resultOfResponse,
  testResultOf,
} from '../http-result.js';
import type {
  AttemptResult,
  CrmRecord,
  DeliveryContent,
  DeliveryRequest,
  IntegrationTarget,
  TestResult,
} from '../port.js';

export type CallContent = Extract<DeliveryContent, { kind: 'call' }>;

/** The longest transcript excerpt a CRM's call log gets: enough to skim, not the whole conversation. */
export const TRANSCRIPT_EXCERPT_CHARS = 2_000;

/** How many of the CRM's activities a lookup returns (CrmRecord.recent). */
export const RECENT_LIMIT = 5;

/** Digits only, with the leading + of E.164 kept: "+1 (555) 777-0001" and "+15557770001" compare equal. */
export const normalisePhone = (phone: string): string => {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, '');
  return trimmed.startsWith('+') ? `+${digits}` : digits;
};

/**
 * The forms a number is likely stored under in a CRM, most exact first: people type numbers with or without
 * the +; a SIP address is no number and has none.
 */
export const phoneVariants = (phone: string): string[] => {
  const normal = normalisePhone(phone);
  if (normal.replace('+', '').length < 5) return [];
  const bare = normal.replace(/^\+/, '');
  return [...new Set([phone.trim(), normal, bare])];
};

/** The transcript as "Speaker: text" lines, cut at `max` characters on a line boundary where possible. */
export const transcriptExcerpt = (
  transcript: CallContent['transcript'],
  max = TRANSCRIPT_EXCERPT_CHARS,
): string => {
  let text = '';
  for (const { speaker, text: said } of transcript) {
    const line = `${speaker}: ${said.replace(/\s+/g, ' ').trim()}\n`;
    if (text.length + line.length > max) {
      const room = max - text.length;
      if (room > 20) text += `${line.slice(0, room - 2)}…\n`;
      return `${text}[…]`.trim();
    }
    text += line;
  }
  return text.trim();
};

/** What a CRM's call log shows as its description: the summary, the outcome, then the transcript's start. */
export const callDescription = (call: CallContent, max = TRANSCRIPT_EXCERPT_CHARS): string => {
  const parts = [
    call.summary !== undefined ? `Summary: ${call.summary}` : undefined,
    call.outcome !== undefined ? `Outcome: ${call.outcome}` : undefined,
    call.agentName !== undefined ? `Agent: ${call.agentName}` : undefined,
  ].filter((p): p is string => p !== undefined);
  const transcript = transcriptExcerpt(call.transcript, max);
  if (transcript !== '') parts.push(`Transcript:\n${transcript}`);
  return parts.join('\n\n');
};

/** A call's one-line title, with the platform's delivery id as a marker a retry can search for. */
export const callTitle = (call: CallContent, deliveryId: string): string =>
  `${call.direction === 'inbound' ? 'Inbound' : 'Outbound'} call ${call.customer} [${deliveryId}]`;

/** The telephony outcome as the CRMs' common dispositions. */
export type Disposition = 'completed' | 'no_answer' | 'busy' | 'failed' | 'voicemail' | 'cancelled';

export const dispositionOf = (call: CallContent): Disposition => {
  const value = call.disposition.toLowerCase();
  if (value.includes('no_answer') || value.includes('no-answer') || value === 'missed') return 'no_answer';
  if (value.includes('busy')) return 'busy';
  if (value.includes('voicemail') || value.includes('machine')) return 'voicemail';
  if (value.includes('cancel')) return 'cancelled';
  if (value.includes('fail') || value.includes('error')) return 'failed';
  return 'completed';
};

/**
 * A string inside single quotes in SOQL: backslash and quote escaped as Salesforce documents
 * (\\ \' \" \n \r \t \b \f), so a caller's number can never end the literal.
 */
export const soqlString = (value: string): string =>
  `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      default:
        return `\\${c}`;
    }
  })}'`;

/** An answer read whole: its status, text, and headers (for Retry-After). */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  readonly headers: { get(name: string): string | null };
}

/** Thrown inside a target's steps when an answer ends the attempt; caught once, turned into its result. */
export class AttemptEnded extends Error {
  constructor(readonly result: AttemptResult) {
    super(result.ok ? 'ended' : result.error);
  }
}

/** A JSON REST client for one CRM: base URL, auth header, and every failure as an attempt's result. */
export const crmClient = (
  fetchImpl: typeof fetch,
  base: string,
  authorization: string,
  signal: AbortSignal,
  now: () => Date,
) => {
  const root = base.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<HttpAnswer> => {
    try {
      const response = await fetchImpl(`${root}${path}`, {
        method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal,
      });
      // Search results are the largest answers a CRM gives here; a cut body fails to parse, ending the attempt.
      const text = await readBounded(response, MAX_JSON_ANSWER_BYTES);
      return { status: response.status, text, headers: response.headers };
    } catch (error) {
      throw new AttemptEnded(resultOfError(error, signal));
    }
  };
  return {
    /** 2xx: the parsed JSON body (undefined when empty); anything else ends the attempt. */
    async json(method: string, path: string, body?: unknown): Promise<unknown> {
      const answer = await call(method, path, body);
      if (answer.status < 200 || answer.status >= 300)
        throw new AttemptEnded(resultOfResponse(answer.status, answer.text, answer.headers, now()));
      if (answer.text.trim() === '') return undefined;
      try {
        return JSON.parse(answer.text) as unknown;
      } catch {
        throw new AttemptEnded({
          ok: false,
          errorKind: 'client_error',
          statusCode: answer.status,
          error: excerpt(`not JSON: ${answer.text}`),
          retryable: false,
        });
      }
    },
    raw: call,
  };
};

export type CrmClient = ReturnType<typeof crmClient>;

/** Runs a target's steps, turning an ending answer or an unexpected error into the attempt's result. */
export const attempt = async (steps: () => Promise<AttemptResult>): Promise<AttemptResult> => {
  try {
    return await steps();
  } catch (error) {
    if (error instanceof AttemptEnded) return error.result;
    return { ok: false, errorKind: 'client_error', error: excerpt(String(error)), retryable: false };
  }
};

/** test(): one harmless GET, in the words the "test connection" button shows. */
export const testWith = async (client: CrmClient, path: string, okMessage: string): Promise<TestResult> => {
  const result = await attempt(async () => {
    await client.json('GET', path);
    return { ok: true, statusCode: 200 };
  });
  return testResultOf(result, okMessage);
};

/** A lookup that fails (refused token, slow CRM) is "not found" to the caller's call, said once in the log. */
export const lookupWith = async (
  steps: () => Promise<CrmRecord | undefined>,
): Promise<CrmRecord | undefined> => {
  try {
    return await steps();
  } catch (error) {
    // The kind and status only: the CRM's own text may quote the caller's record, which logs must not hold.
    if (error instanceof AttemptEnded && !error.result.ok) {
      const { errorKind, statusCode } = error.result;
      throw new Error(`${errorKind}${statusCode !== undefined ? ` (${statusCode})` : ''}`);
    }
    throw error;
  }
};

/** The token a CRM connection holds; a connection whose secrets cannot be opened has none. */
export const tokenOf = (secrets: Secrets): string | undefined => secrets['accessToken'];

/** A string field of an untyped JSON object. */
export const str = (value: unknown, key: string): string | undefined => {
  const field = (value as Record<string, unknown> | null | undefined)?.[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
};

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The fields of a CrmRecord, without those a CRM left empty (the record is stored as JSON). */
export const crmRecord = (
  connection: Connection,
  fields: {
    id: string;
    name?: string | undefined;
    email?: string | undefined;
    phone?: string | undefined;
    company?: string | undefined;
    url?: string | undefined;
    recent: CrmRecord['recent'];
  },
): CrmRecord => ({
  system: connection.kind,
  id: fields.id,
  ...(fields.name !== undefined && { name: fields.name }),
  ...(fields.email !== undefined && { email: fields.email }),
  ...(fields.phone !== undefined && { phone: fields.phone }),
  ...(fields.company !== undefined && { company: fields.company }),
  ...(fields.url !== undefined && { url: fields.url }),
  recent: fields.recent.slice(0, RECENT_LIMIT),
});

/** Joins name parts a CRM keeps apart, leaving out the empty ones. */
export const fullName = (...parts: (string | undefined)[]): string | undefined => {
  const name = parts.filter((p) => p !== undefined && p.trim() !== '').join(' ');
  return name === '' ? undefined : name;
};

const noToken: AttemptResult = {
  ok: false,
  errorKind: 'auth_failed',
  error: 'the connection has no access token (its secrets cannot be opened)',
  retryable: false,
};

/** What one CRM brings to `crmTarget`: where and how to call it, and its own paths, bodies and field mapping. */
export interface CrmSpec {
  readonly kind: IntegrationTarget['kinds'][number];
  /** The CRM's name in a refusal ("HubSpot takes log_call, not …"). */
  readonly label: string;
  readonly fetch: typeof fetch;
  /** The API's base URL for a connection; undefined when its settings lack it. */
  readonly baseOf: (connection: Connection) => string | undefined;
  /** The authorization header for an access token. */
  readonly authorization: (token: string) => string;
  /** Logs a finished call (inside `attempt`: an ending answer becomes the result). */
  readonly logCall: (
    client: CrmClient,
    call: CallContent,
    request: DeliveryRequest,
  ) => Promise<AttemptResult>;
  readonly testPath: string;
  readonly okMessage: string;
  /** What "test connection" says when the token (or base URL) is missing. */
  readonly missingMessage: string;
  /** The caller's record, or undefined (inside `lookupWith`). */
  readonly findRecord: (
    client: CrmClient,
    connection: Connection,
    phone: string,
  ) => Promise<CrmRecord | undefined>;
}

/** A CRM target: log_call through `logCall`, test with one GET, lookups through `findRecord`. */
export const crmTarget = (spec: CrmSpec): IntegrationTarget => {
  const clientOf = (
    connection: Connection,
    secrets: Secrets,
    signal: AbortSignal,
    now: () => Date = () => new Date(),
  ): CrmClient | undefined => {
    const token = tokenOf(secrets);
    const base = spec.baseOf(connection);
    return token === undefined || base === undefined
      ? undefined
      : crmClient(spec.fetch, base, spec.authorization(token), signal, now);
  };

  const deliver = async (request: DeliveryRequest): Promise<AttemptResult> => {
    const { content } = request;
    if (request.action !== 'log_call' || content.kind !== 'call')
      return {
        ok: false,
        errorKind: 'client_error',
        error: `${spec.label} takes log_call, not ${request.action}`,
        retryable: false,
      };
    const client = clientOf(request.connection, request.secrets, request.signal, () => request.now);
    if (!client) return noToken;
    return attempt(() => spec.logCall(client, content, request));
  };

  const test = async (connection: Connection, secrets: Secrets, signal: AbortSignal): Promise<TestResult> => {
    const client = clientOf(connection, secrets, signal);
    if (!client) return { ok: false, message: spec.missingMessage };
    return testWith(client, spec.testPath, spec.okMessage);
  };

  const lookupContact = (
    connection: Connection,
    secrets: Secrets,
    phone: string,
    signal: AbortSignal,
  ): Promise<CrmRecord | undefined> =>
    lookupWith(async () => {
      const client = clientOf(connection, secrets, signal);
      if (!client) return undefined;
      return spec.findRecord(client, connection, phone);
    });

  return { kinds: [spec.kind], actions: ['log_call'], deliver, test, lookupContact };
};
