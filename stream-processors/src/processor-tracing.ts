import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Tracing } from '@ccp/command-service';
import type { Processor } from './processor.js';

/**
 * A span per batch a stream processor handles (`process {processor}`): its size and the log positions it spans.
 * Commands the processor sends while handling it (SLA breaches, usage caps) are its children. Each batch starts a
 * trace of its own: the bus may deliver it from inside the append that stored its events, and a request's trace
 * must not take in the read side's later work. Tracing off: the processors themselves, unwrapped.
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
      const parent = ROOT_CONTEXT;
      const span = tracer.startSpan(
        `process ${processor.name}`,
        {
          kind: SpanKind.CONSUMER,
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
