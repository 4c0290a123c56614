import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

/**
 * TwiML as the telephone network reads it: a `<Response>` becomes an ordered list of typed verbs. Attribute
 * defaults are Twilio's documented ones, and relative URLs are resolved against the URL that answered the
 * TwiML, as Twilio does. Anything Twilio would refuse (unknown verb, bad attribute) is a TwimlError, which the
 * interpreter turns into Twilio's "application error".
 */

export type HttpMethod = 'GET' | 'POST';

export interface Say {
  readonly verb: 'Say';
  readonly text: string;
  readonly voice?: string;
  readonly language?: string;
  readonly loop: number;
}
export interface Play {
  readonly verb: 'Play';
  /** Absent when the Play only sends DTMF digits. */
  readonly url?: string;
  readonly digits?: string;
  readonly loop: number;
}
export interface Pause {
  readonly verb: 'Pause';
  readonly length: number;
}
export type Prompt = Say | Play | Pause;
export type GatherInput = 'dtmf' | 'speech';

export interface Gather {
  readonly verb: 'Gather';
  readonly input: readonly GatherInput[];
  /** Always absolute: Twilio posts to the current document's URL when the attribute is missing. */
  readonly action: string;
  readonly method: HttpMethod;
  readonly timeout: number;
  readonly speechTimeout?: number | 'auto';
  readonly numDigits?: number;
  readonly finishOnKey: string;
  readonly language?: string;
  readonly hints: readonly string[];
  readonly bargeIn: boolean;
  readonly actionOnEmptyResult: boolean;
  readonly prompts: readonly Prompt[];
}
export interface Redirect {
  readonly verb: 'Redirect';
  readonly url: string;
  readonly method: HttpMethod;
}
export interface Hangup {
  readonly verb: 'Hangup';
}
export interface Reject {
  readonly verb: 'Reject';
  readonly reason: 'rejected' | 'busy';
}
export interface Enqueue {
  readonly verb: 'Enqueue';
  readonly name: string;
  readonly waitUrl?: string;
  readonly waitUrlMethod: HttpMethod;
  readonly action?: string;
  readonly method: HttpMethod;
}
export interface Leave {
  readonly verb: 'Leave';
}
export type DialTarget =
  | { readonly kind: 'Number'; readonly number: string; readonly url?: string }
  | { readonly kind: 'Client'; readonly identity: string }
  | { readonly kind: 'Sip'; readonly uri: string }
  | { readonly kind: 'Queue'; readonly name: string; readonly url?: string }
  | {
      readonly kind: 'Conference';
      readonly name: string;
      readonly startConferenceOnEnter: boolean;
      readonly endConferenceOnExit: boolean;
      readonly muted: boolean;
      readonly coach?: string;
    };
export interface Dial {
  readonly verb: 'Dial';
  readonly targets: readonly DialTarget[];
  readonly action?: string;
  readonly method: HttpMethod;
  readonly timeout: number;
  readonly callerId?: string;
}
export interface RecordVerb {
  readonly verb: 'Record';
  readonly action: string;
  readonly method: HttpMethod;
  readonly timeout: number;
  readonly maxLength: number;
  readonly finishOnKey: string;
  readonly playBeep: boolean;
  readonly recordingStatusCallback?: string;
  readonly recordingStatusCallbackMethod: HttpMethod;
  readonly transcribe: boolean;
  readonly transcribeCallback?: string;
}
export interface Stream {
  readonly url: string;
  readonly name?: string;
  readonly track?: string;
  readonly statusCallback?: string;
  readonly parameters: Readonly<Record<string, string>>;
}
export interface Connect {
  readonly verb: 'Connect';
  readonly stream: Stream;
  readonly action?: string;
  readonly method: HttpMethod;
}
export interface Start {
  readonly verb: 'Start';
  readonly stream: Stream;
}
/** `<Start><Recording>`: the whole call is recorded from here on, in the background. */
export interface StartRecording {
  readonly verb: 'StartRecording';
  readonly recordingStatusCallback?: string;
  readonly recordingStatusCallbackMethod: HttpMethod;
}
export interface Stop {
  readonly verb: 'Stop';
  readonly streamName?: string;
}

export type Verb =
  | Say
  | Play
  | Pause
  | Gather
  | Redirect
  | Hangup
  | Reject
  | Enqueue
  | Leave
  | Dial
  | RecordVerb
  | Connect
  | Start
  | StartRecording
  | Stop;

export class TwimlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwimlError';
  }
}

/** One element as fast-xml-parser's preserveOrder mode gives it: `{ Tag: children, ':@': attributes }`. */
interface XmlNode {
  readonly tag: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** For `#text` nodes. */
  readonly text?: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const RawNode = z.record(z.string(), z.unknown());

const toNodes = (raw: unknown): XmlNode[] => {
  if (!Array.isArray(raw)) return [];
  return raw.map((item): XmlNode => {
    const node = RawNode.parse(item);
    const attributes = z.record(z.string(), z.coerce.string()).parse(node[':@'] ?? {});
    const tag = Object.keys(node).find((key) => key !== ':@') ?? '';
    if (tag === '#text') return { tag, attributes, children: [], text: String(node[tag]) };
    return { tag, attributes, children: toNodes(node[tag]) };
  });
};

const elements = (nodes: readonly XmlNode[]) => nodes.filter((n) => n.tag !== '#text');

/** All text inside an element, SSML tags (`<break>`, `<prosody>`, ...) included, whitespace collapsed. */
const textOf = (node: XmlNode): string =>
  node.children
    .map((child) => (child.tag === '#text' ? (child.text ?? '') : textOf(child)))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

const Method = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(['GET', 'POST']));
const Bool = z.enum(['true', 'false']).transform((b) => b === 'true');
const Seconds = z.coerce.number().int().nonnegative();
const Loop = z.coerce.number().int().nonnegative().default(1);

/** Resolves a URL attribute against the document's URL, as Twilio does for relative URLs. */
const resolver = (documentUrl: string) => (url: string | undefined) =>
  url === undefined || url === '' ? undefined : new URL(url, documentUrl).href;

const parseAttributes = <T extends z.ZodType>(schema: T, node: XmlNode): z.output<T> => {
  const result = schema.safeParse(node.attributes);
  if (!result.success) throw new TwimlError(`<${node.tag}>: ${z.prettifyError(result.error)}`);
  return result.data;
};

const SayAttributes = z.object({ voice: z.string().optional(), language: z.string().optional(), loop: Loop });
const PlayAttributes = z.object({
  digits: z
    .string()
    .regex(/^[0-9*#wW]+$/)
    .optional(),
  loop: Loop,
});
const PauseAttributes = z.object({ length: Seconds.default(1) });
const GatherAttributes = z.object({
  input: z
    .string()
    .default('dtmf')
    .transform((s) => s.split(/\s+/).filter(Boolean))
    .pipe(z.array(z.enum(['dtmf', 'speech'])).min(1)),
  action: z.string().optional(),
  method: Method.default('POST'),
  timeout: Seconds.default(5),
  speechTimeout: z.union([z.literal('auto'), Seconds]).optional(),
  numDigits: z.coerce.number().int().positive().optional(),
  finishOnKey: z.string().max(1).default('#'),
  language: z.string().optional(),
  hints: z.string().optional(),
  bargeIn: Bool.default(true),
  actionOnEmptyResult: Bool.default(false),
});
const RedirectAttributes = z.object({ method: Method.default('POST') });
const RejectAttributes = z.object({ reason: z.enum(['rejected', 'busy']).default('rejected') });
const EnqueueAttributes = z.object({
  waitUrl: z.string().optional(),
  waitUrlMethod: Method.default('POST'),
  action: z.string().optional(),
  method: Method.default('POST'),
});
const DialAttributes = z.object({
  action: z.string().optional(),
  method: Method.default('POST'),
  timeout: Seconds.default(30),
  callerId: z.string().optional(),
});
const ConferenceAttributes = z.object({
  startConferenceOnEnter: Bool.default(true),
  endConferenceOnExit: Bool.default(false),
  muted: Bool.default(false),
  coach: z.string().optional(),
});
const RecordAttributes = z.object({
  action: z.string().optional(),
  method: Method.default('POST'),
  timeout: Seconds.default(5),
  maxLength: z.coerce.number().int().positive().default(3600),
  finishOnKey: z.string().default('1234567890*#'),
  playBeep: Bool.default(true),
  recordingStatusCallback: z.string().optional(),
  recordingStatusCallbackMethod: Method.default('POST'),
  transcribe: Bool.default(false),
  transcribeCallback: z.string().optional(),
});
const StartRecordingAttributes = z.object({
  recordingStatusCallback: z.string().optional(),
  recordingStatusCallbackMethod: Method.default('POST'),
});
const StreamAttributes = z.object({
  url: z.string().min(1),
  name: z.string().optional(),
  track: z.enum(['inbound_track', 'outbound_track', 'both_tracks']).optional(),
  statusCallback: z.string().optional(),
});
const ParameterAttributes = z.object({ name: z.string().min(1), value: z.string().default('') });

const parsePrompt = (node: XmlNode, resolve: ReturnType<typeof resolver>): Prompt => {
  switch (node.tag) {
    case 'Say': {
      const a = parseAttributes(SayAttributes, node);
      return { verb: 'Say', text: textOf(node), loop: a.loop, voice: a.voice, language: a.language };
    }
    case 'Play': {
      const a = parseAttributes(PlayAttributes, node);
      const url = resolve(textOf(node));
      if (url === undefined && a.digits === undefined) throw new TwimlError('<Play> needs a URL or digits');
      return { verb: 'Play', url, digits: a.digits, loop: a.loop };
    }
    case 'Pause':
      return { verb: 'Pause', length: parseAttributes(PauseAttributes, node).length };
    default:
      throw new TwimlError(`<${node.tag}> is not allowed here: only <Say>, <Play> and <Pause> may be nested`);
  }
};

/** Media Streams need a WebSocket URL; a relative one is taken from the document's host, ws for http. */
const streamUrl = (url: string, documentUrl: string): string => {
  const absolute = new URL(url, documentUrl.replace(/^http/, 'ws'));
  if (absolute.protocol !== 'wss:' && absolute.protocol !== 'ws:') {
    throw new TwimlError(`<Stream url="${url}">: a Media Stream URL must be wss:// (or ws:// on loopback)`);
  }
  return absolute.href;
};

const parseStream = (node: XmlNode, documentUrl: string, resolve: ReturnType<typeof resolver>): Stream => {
  const a = parseAttributes(StreamAttributes, node);
  const parameters: Record<string, string> = {};
  for (const child of elements(node.children)) {
    if (child.tag !== 'Parameter') throw new TwimlError(`<${child.tag}> is not allowed inside <Stream>`);
    const p = parseAttributes(ParameterAttributes, child);
    parameters[p.name] = p.value;
  }
  return {
    url: streamUrl(a.url, documentUrl),
    name: a.name,
    track: a.track,
    statusCallback: resolve(a.statusCallback),
    parameters,
  };
};

const onlyStream = (node: XmlNode, documentUrl: string, resolve: ReturnType<typeof resolver>): Stream => {
  const children = elements(node.children);
  const [first] = children;
  if (children.length !== 1 || first?.tag !== 'Stream') {
    throw new TwimlError(`<${node.tag}> must hold exactly one <Stream> (the only noun this simulator plays)`);
  }
  return parseStream(first, documentUrl, resolve);
};

const parseDialTarget = (node: XmlNode, resolve: ReturnType<typeof resolver>): DialTarget => {
  const text = textOf(node);
  if (text === '') throw new TwimlError(`<${node.tag}> inside <Dial> needs a value`);
  switch (node.tag) {
    case 'Number':
      return { kind: 'Number', number: text, url: resolve(node.attributes['url']) };
    case 'Client':
      return { kind: 'Client', identity: text };
    case 'Sip':
      return { kind: 'Sip', uri: text };
    case 'Queue':
      return { kind: 'Queue', name: text, url: resolve(node.attributes['url']) };
    case 'Conference':
      return { kind: 'Conference', name: text, ...parseAttributes(ConferenceAttributes, node) };
    default:
      throw new TwimlError(`<${node.tag}> is not a noun of <Dial>`);
  }
};

const parseVerb = (node: XmlNode, documentUrl: string): Verb => {
  const resolve = resolver(documentUrl);
  switch (node.tag) {
    case 'Say':
    case 'Play':
    case 'Pause':
      return parsePrompt(node, resolve);
    case 'Gather': {
      const a = parseAttributes(GatherAttributes, node);
      return {
        verb: 'Gather',
        input: a.input,
        action: resolve(a.action) ?? documentUrl,
        method: a.method,
        timeout: a.timeout,
        speechTimeout: a.speechTimeout,
        numDigits: a.numDigits,
        finishOnKey: a.finishOnKey,
        language: a.language,
        hints: (a.hints ?? '')
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean),
        bargeIn: a.bargeIn,
        actionOnEmptyResult: a.actionOnEmptyResult,
        prompts: elements(node.children).map((child) => parsePrompt(child, resolve)),
      };
    }
    case 'Redirect': {
      const a = parseAttributes(RedirectAttributes, node);
      const url = resolve(textOf(node));
      if (url === undefined) throw new TwimlError('<Redirect> needs a URL');
      return { verb: 'Redirect', url, method: a.method };
    }
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Reject':
      return { verb: 'Reject', reason: parseAttributes(RejectAttributes, node).reason };
    case 'Leave':
      return { verb: 'Leave' };
    case 'Enqueue': {
      const a = parseAttributes(EnqueueAttributes, node);
      const name = textOf(node);
      if (name === '') throw new TwimlError('<Enqueue> needs a queue name');
      return {
        verb: 'Enqueue',
        name,
        waitUrl: resolve(a.waitUrl),
        waitUrlMethod: a.waitUrlMethod,
        action: resolve(a.action),
        method: a.method,
      };
    }
    case 'Dial': {
      const a = parseAttributes(DialAttributes, node);
      const nouns = elements(node.children);
      const targets =
        nouns.length > 0
          ? nouns.map((child) => parseDialTarget(child, resolve))
          : [parseDialTarget({ ...node, tag: 'Number' }, resolve)];
      return {
        verb: 'Dial',
        targets,
        action: resolve(a.action),
        method: a.method,
        timeout: a.timeout,
        callerId: a.callerId,
      };
    }
    case 'Record': {
      const a = parseAttributes(RecordAttributes, node);
      return {
        verb: 'Record',
        ...a,
        action: resolve(a.action) ?? documentUrl,
        recordingStatusCallback: resolve(a.recordingStatusCallback),
        transcribeCallback: resolve(a.transcribeCallback),
      };
    }
    case 'Connect': {
      const a = z.object({ action: z.string().optional(), method: Method.default('POST') });
      const { action, method } = parseAttributes(a, node);
      return {
        verb: 'Connect',
        stream: onlyStream(node, documentUrl, resolve),
        action: resolve(action),
        method,
      };
    }
    case 'Start': {
      const [child, ...others] = elements(node.children);
      if (child?.tag === 'Recording' && others.length === 0) {
        const a = parseAttributes(StartRecordingAttributes, child);
        return {
          verb: 'StartRecording',
          recordingStatusCallback: resolve(a.recordingStatusCallback),
          recordingStatusCallbackMethod: a.recordingStatusCallbackMethod,
        };
      }
      return { verb: 'Start', stream: onlyStream(node, documentUrl, resolve) };
    }
    case 'Stop': {
      const [stream] = elements(node.children);
      if (stream?.tag !== 'Stream') throw new TwimlError('<Stop> must hold a <Stream>');
      return { verb: 'Stop', streamName: stream.attributes['name'] };
    }
    default:
      throw new TwimlError(`<${node.tag}> is not a TwiML voice verb this simulator knows`);
  }
};

/**
 * Parses a TwiML document. `documentUrl` is the URL that answered it (for relative URLs and Gather's default
 * action). Throws TwimlError for malformed XML, a root other than `<Response>`, or an unknown or invalid verb.
 */
export const parseTwiml = (xml: string, documentUrl: string): Verb[] => {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new TwimlError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const roots = elements(toNodes(parser.parse(xml))).filter((n) => !n.tag.startsWith('?'));
  const [root] = roots;
  if (roots.length !== 1 || root?.tag !== 'Response')
    throw new TwimlError('the root element must be <Response>');
  return elements(root.children).map((node) => parseVerb(node, documentUrl));
};
