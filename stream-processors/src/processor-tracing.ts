import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Link } from '@opentelemetry/api';
import { remoteParentOf, type Tracing } from '@ccp/command-service';
import type { BusEvent } from './bus/port.js';
import type { Processor } from './processor.js';

/** Links kept on one batch span, at most: a batch of many publishing batches names the first of them. */
const MAX_LINKS = 32;

/**
 * Where a batch's span starts, by the trace context its messages travelled with (Kafka headers): the publishing
 * span itself when they all came from one (so the consumer's work continues the producer's trace), a new trace
 * otherwise; each distinct publisher is linked, as the messaging conventions do for batches.
 */
const parentOf = (batch: readonly BusEvent[]): { readonly parent: Context; readonly links: Link[] } => {
  const contexts = new Map<string, Context>();
  let untraced = false;
  for (const { trace: carried } of batch) {
    if (carried === undefined) {
      untraced = true;
      continue;
    }
    if (contexts.has(carried.traceparent) || contexts.size >= MAX_LINKS) continue;
    const context = remoteParentOf(carried.traceparent, carried.tracestate);
    if (context !== ROOT_CONTEXT) contexts.set(carried.traceparent, context);
  }
  const links = [...contexts.values()].flatMap((context) => {
    const spanContext = trace.getSpanContext(context);
    return spanContext === undefined ? [] : [{ context: spanContext }];
  });
  const [only] = contexts.values();
  return { parent: contexts.size === 1 && !untraced && only !== undefined ? only : ROOT_CONTEXT, links };
};

/**
 * A span per batch a stream processor handles (`process {processor}`): its size and the log positions it spans.
 * Commands the processor sends while handling it (SLA breaches, usage caps) are its children. On the embedded bus
 * each batch starts a trace of its own: the bus may deliver it from inside the append that stored its events, and
 * a request's trace must not take in the read side's later work. On Kafka it continues the relay's `send` span
 * whose context its messages carried (parentOf). Tracing off: the processors themselves, unwrapped.
 */
export const tracedProcessors = (
  processors: readonly Processor[],
  tracing: Tracing,
): readonly Processor[] => {
  const { tracer } = tracing;
  if (tracer === undefined) return processors;
  return processors.map((processor): Processor => ({
    name: processor.name,
    categories: processor.categories,
    tables: processor.tables,
    ...(processor.version !== undefined && { version: processor.version }),
    handle: async (batch, context) => {
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (const { position } of batch) {
        first = Math.min(first, position);
        last = Math.max(last, position);
      }
      const { parent, links } = parentOf(batch);
      const span = tracer.startSpan(
        `process ${processor.name}`,
        {
          kind: SpanKind.CONSUMER,
          links,
          attributes: {
            'messaging.operation.type': 'process',
            'messaging.consumer.group.name': processor.name,
            'messaging.batch.message_count': batch.length,
            ...(batch.length > 0 && { 'ccp.log.first_position': first, 'ccp.log.last_position': last }),
          },
        },
        parent,
      );
      try {
        await tracing.within(trace.setSpan(parent, span), () => processor.handle(batch, context));
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  }));
};
