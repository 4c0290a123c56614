import { createContextKey, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR_CCP_CALL_ID, type Tracing } from '@ccp/command-service';
import type { LanguageModel } from './llm/port.js';

/*
 * The GenAI semantic conventions' attribute names (still "development" there, so not in the package's stable
 * entry; copied, as the conventions advise for incubating names).
 */
const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
const GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
const GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';

/** Marks the context of a Media Streams turn's span: the session's own turn then adds to it, not a second one. */
const STREAM_TURN = createContextKey('ccp.media_stream.turn');
/** The call a turn or greeting belongs to, for the model requests made inside it (gen_ai.conversation.id). */
const CALL = createContextKey('ccp.call.id');

/**
 * The GenAI provider and model of a model as the adapters name themselves: `openai:gpt-4o-mini`,
 * `openai-compatible:llama3.2`, a tenant's own `tenant:<id>:anthropic:<model>`; anything else (the offline
 * engine, an assisted pair) is its own provider and model.
 */
const providerAndModel = (name: string): { readonly provider: string; readonly model: string } => {
  const parts = name.includes('+') ? [name] : name.split(':');
  const named = parts[0] === 'tenant' && parts.length >= 4 ? parts.slice(2) : parts;
  const [provider = name, ...model] = named;
  return model.length > 0 ? { provider, model: model.join(':') } : { provider: name, model: name };
};

/**
 * The media gateway's spans, children of whatever span is current (a turn's, or the Twilio webhook's request):
 * a `call turn` span per caller line answered, named with the call's id as `ccp.call.id`; a `chat {model}` span
 * per conversation-model request with the model and its tokens; an `execute_tool {name}` span per tool call run.
 * Tracing off: everything unwrapped, nothing done.
 */
export interface GatewayTracing {
  /** The conversation model, one span per request as the gateway makes it (a fallback included). */
  tracedModel(model: LanguageModel): LanguageModel;
  /** Runs a caller line's turn (model requests, tool calls, the commands recording them) inside its span. */
  turn<T>(callId: string, line: number, work: () => Promise<T>): Promise<T>;
  /** Runs one tool call inside its span. */
  toolCall<T>(callId: string, id: string, name: string, work: () => Promise<T>): Promise<T>;
  /**
   * A Media Streams turn, from the end of the caller's speech to the last line of the reply synthesized: the
   * parent of its speech-to-text, model, tool and text-to-speech spans. The session's `turn` inside it names the
   * line on this span instead of opening a second one.
   */
  streamTurn<T>(callId: string, work: () => Promise<T>): Promise<T>;
  /** The call's first words: made (the webhook) or said (a media stream's text-to-speech). */
  greeting<T>(callId: string, work: () => Promise<T>): Promise<T>;
  /** Waiting for the final transcript of an utterance, from the end of the caller's speech. */
  speechToText<T extends SpeechResult>(callId: string, provider: string, work: () => Promise<T>): Promise<T>;
  /** Synthesizing one line of a reply. */
  textToSpeech<T extends Buffer>(
    callId: string,
    provider: string,
    characters: number,
    work: () => Promise<T>,
  ): Promise<T>;
}

/** What an STT span records of the transcript: never its words (personal data). */
export interface SpeechResult {
  readonly text: string;
  readonly confidence: number;
  readonly language?: string;
}

const failed = (span: Span, error: unknown): void => {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
};

export const gatewayTracing = (tracing: Tracing): GatewayTracing => {
  const { tracer } = tracing;
  if (tracer === undefined) {
    return {
      tracedModel: (model) => model,
      turn: (_c, _l, work) => work(),
      toolCall: (_c, _i, _n, work) => work(),
      streamTurn: (_c, work) => work(),
      greeting: (_c, work) => work(),
      speechToText: (_c, _p, work) => work(),
      textToSpeech: (_c, _p, _n, work) => work(),
    };
  }
  /** `work` inside a new child span of the current one; `finish` adds what its result tells. */
  const inSpan = async <T>(
    name: string,
    kind: SpanKind,
    attributes: Record<string, string | number>,
    work: () => Promise<T>,
    finish?: (span: Span, result: T) => void,
    scope?: { readonly callId: string; readonly streamTurn?: true },
  ): Promise<T> => {
    const parent = tracing.current();
    const span = tracer.startSpan(name, { kind, attributes }, parent);
    let context = trace.setSpan(parent, span);
    if (scope !== undefined) context = context.setValue(CALL, scope.callId);
    if (scope?.streamTurn === true) context = context.setValue(STREAM_TURN, true);
    try {
      const result = await tracing.within(context, work);
      finish?.(span, result);
      return result;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  return {
    tracedModel: (model) => ({
      name: model.name,
      ...(model.warm !== undefined && { warm: model.warm.bind(model) }),
      respond: (request) => {
        const { provider, model: requested } = providerAndModel(model.name);
        const callId = tracing.current().getValue(CALL);
        return inSpan(
          `chat ${model.name}`,
          SpanKind.CLIENT,
          {
            [GEN_AI_OPERATION_NAME]: 'chat',
            [GEN_AI_PROVIDER_NAME]: provider,
            [GEN_AI_REQUEST_MODEL]: requested,
            ...(typeof callId === 'string' && { [GEN_AI_CONVERSATION_ID]: callId }),
          },
          () => model.respond(request),
          (span, response) => {
            span.setAttributes({
              [GEN_AI_RESPONSE_MODEL]: response.model,
              [GEN_AI_USAGE_INPUT_TOKENS]: response.usage.promptTokens,
              [GEN_AI_USAGE_OUTPUT_TOKENS]: response.usage.completionTokens,
              [GEN_AI_RESPONSE_FINISH_REASONS]: [response.toolCalls.length > 0 ? 'tool_calls' : 'stop'],
              'ccp.llm.tool_calls': response.toolCalls.length,
              'ccp.llm.fallback': response.fallback === true,
            });
          },
        );
      },
    }),
    turn: (callId, line, work) => {
      const current = tracing.current();
      if (current.getValue(STREAM_TURN) === true) {
        trace.getSpan(current)?.setAttribute('ccp.call.line', line);
        return work();
      }
      return inSpan(
        'call turn',
        SpanKind.INTERNAL,
        { [ATTR_CCP_CALL_ID]: callId, 'ccp.call.line': line },
        work,
        undefined,
        { callId },
      );
    },
    streamTurn: (callId, work) =>
      inSpan(
        'call turn',
        SpanKind.INTERNAL,
        { [ATTR_CCP_CALL_ID]: callId, 'ccp.call.transport': 'media_stream' },
        work,
        undefined,
        { callId, streamTurn: true },
      ),
    greeting: (callId, work) =>
      inSpan('call greeting', SpanKind.INTERNAL, { [ATTR_CCP_CALL_ID]: callId }, work, undefined, { callId }),
    speechToText: (callId, provider, work) =>
      inSpan(
        `stt ${provider}`,
        SpanKind.CLIENT,
        { [ATTR_CCP_CALL_ID]: callId, 'ccp.stt.provider': provider },
        work,
        (span, transcript) => {
          span.setAttributes({
            'ccp.stt.characters': transcript.text.length,
            'ccp.stt.confidence': transcript.confidence,
            ...(transcript.language !== undefined && { 'ccp.stt.language': transcript.language }),
          });
        },
      ),
    textToSpeech: (callId, provider, characters, work) =>
      inSpan(
        `tts ${provider}`,
        SpanKind.CLIENT,
        { [ATTR_CCP_CALL_ID]: callId, 'ccp.tts.provider': provider, 'ccp.tts.characters': characters },
        work,
        (span, audio) => span.setAttribute('ccp.tts.audio_bytes', audio.length),
      ),
    toolCall: (callId, id, name, work) =>
      inSpan(
        `execute_tool ${name}`,
        SpanKind.INTERNAL,
        {
          [GEN_AI_OPERATION_NAME]: 'execute_tool',
          [GEN_AI_TOOL_NAME]: name,
          [GEN_AI_TOOL_CALL_ID]: id,
          [ATTR_CCP_CALL_ID]: callId,
        },
        work,
      ),
  };
};
