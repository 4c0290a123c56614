import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { Tracing } from './tracing.js';

/** The attribute naming the call a span belongs to: its correlation id across HTTP, commands and turns. */
export const ATTR_CCP_CALL_ID = 'ccp.call.id';

const callIdOf = (input: unknown): string | undefined => {
  if (typeof input !== 'object' || input === null) return undefined;
  const callId = (input as { callId?: unknown }).callId;
  return typeof callId === 'string' && callId.length <= 128 ? callId : undefined;
};

/**
 * A span per command handled, a child of whatever span is current (the HTTP request's, a turn's): its type (as the
 * catalog knows it, else `unknown`), caller and outcome, as the metrics count them, and the call it is about when
 * its input names one. Tracing off: the handler itself, unwrapped.
 */
export const tracedCommandHandler = (handler: CommandHandler, tracing: Tracing): CommandHandler => {
  const { tracer } = tracing;
  if (tracer === undefined) return handler;
  // Span names made once per type, not per command: the catalog's types and `unknown`.
  const names = new Map<string, string>([['unknown', 'command unknown']]);
  for (const type of handler.routes.keys()) names.set(type, `command ${type}`);
  const traced =
    (caller: 'api' | 'platform', run: CommandHandler['handle']): CommandHandler['handle'] =>
    async (type, input, context) => {
      // A command the sampler drops costs a look at the current span and no more: no span, not even a
      // non-recording one.
      const parent = tracing.sampledLeaf(tracing.current());
      if (parent === undefined) return run(type, input, context);
      const known = handler.routes.has(type) ? type : 'unknown';
      const attributes: Attributes = { 'ccp.command.type': known, 'ccp.command.caller': caller };
      const callId = callIdOf(input);
      if (callId !== undefined) attributes[ATTR_CCP_CALL_ID] = callId;
      const span = tracer.startSpan(
        names.get(known) ?? `command ${known}`,
        { kind: SpanKind.INTERNAL, attributes },
        parent,
      );
      let outcome = 'error';
      try {
        // A leaf: nothing a command does makes a span (reactions start traces of their own), so it does not run
        // in the span's context. On Node 20 that would cost each promise of the command a copy of the context:
        // 30 to 50 µs a command (tests/bench/metrics-overhead.ts), most of what tracing cost there.
        const result = await run(type, input, context);
        outcome = 'accepted';
        return result;
      } catch (error) {
        if (error instanceof CommandRejected && error.status < 500) {
          outcome = 'refused';
          span.setAttribute('ccp.command.refusal', error.code);
        } else {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        throw error;
      } finally {
        span.setAttribute('ccp.command.outcome', outcome);
        span.end();
      }
    };
  return {
    handle: traced('api', (type, input, context) => handler.handle(type, input, context)),
    handleTrusted: traced('platform', (type, input, context) => handler.handleTrusted(type, input, context)),
    routes: handler.routes,
  };
};
