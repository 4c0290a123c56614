import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import type { CommandHandler, CommandResult } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { CommandRoute } from '../commands/route.js';
import { tracedCommandHandler } from './command-tracing.js';
import { createTracing, tracingOff, type TracingSettings } from './tracing.js';

const RESULT: CommandResult = {
  commandId: 'c',
  streamId: 's',
  nextRevision: 0,
  position: 1,
  events: [],
  replayed: false,
};
const CONTEXT = { actor: SYSTEM_ACTOR };
const SETTINGS: TracingSettings = { endpoint: 'http://127.0.0.1:9', serviceName: 'test' };

/** A fake handler that knows one type, answers by the input's `do`, and counts what it ran. */
const fakeHandler = () => {
  const ran: string[] = [];
  const run = async (type: string, input: unknown): Promise<CommandResult> => {
    ran.push(type);
    const action = (input as { do: string }).do;
    if (action === 'refuse') throw new CommandRejected(422, 'PLAN_LIMIT_REACHED', 'no');
    if (action === 'fail') throw new Error('disk full');
    return RESULT;
  };
  const handler: CommandHandler = {
    handle: run,
    handleTrusted: run,
    routes: new Map([['CreateDepartment', {} as CommandRoute]]),
  };
  return { handler, ran };
};

const traced = (settings: TracingSettings = SETTINGS) => {
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing(settings, undefined, exporter);
  const { handler, ran } = fakeHandler();
  return { tracing, exporter, ran, handler: tracedCommandHandler(handler, tracing) };
};

describe('a span per command', () => {
  it('names the type, caller, outcome and call; a refusal its code, an error its exception', async () => {
    const { tracing, exporter, handler } = traced();
    await handler.handle('CreateDepartment', { do: 'ok', callId: 'CA1' }, CONTEXT);
    await expect(handler.handleTrusted('CreateDepartment', { do: 'refuse' }, CONTEXT)).rejects.toThrow();
    await expect(handler.handleTrusted('Nonsense', { do: 'fail' }, CONTEXT)).rejects.toThrow('disk full');
    await tracing.flush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.attributes])).toEqual([
      [
        'command CreateDepartment',
        {
          'ccp.command.type': 'CreateDepartment',
          'ccp.command.caller': 'api',
          'ccp.call.id': 'CA1',
          'ccp.command.outcome': 'accepted',
        },
      ],
      [
        'command CreateDepartment',
        {
          'ccp.command.type': 'CreateDepartment',
          'ccp.command.caller': 'platform',
          'ccp.command.refusal': 'PLAN_LIMIT_REACHED',
          'ccp.command.outcome': 'refused',
        },
      ],
      [
        'command unknown',
        { 'ccp.command.type': 'unknown', 'ccp.command.caller': 'platform', 'ccp.command.outcome': 'error' },
      ],
    ]);
    expect(spans[2]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[2]?.events.map((e) => e.name)).toEqual(['exception']);
    await tracing.shutdown();
  });

  it("is the current span's child", async () => {
    const { tracing, exporter, handler } = traced();
    const outer = tracing.tracer!.startSpan('POST /api/commands/:type');
    await tracing.within(trace.setSpan(ROOT_CONTEXT, outer), () =>
      handler.handle('CreateDepartment', { do: 'ok' }, CONTEXT),
    );
    outer.end();
    await tracing.flush();
    const command = exporter.getFinishedSpans().find((s) => s.name === 'command CreateDepartment');
    expect(command?.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(command?.spanContext().traceId).toBe(outer.spanContext().traceId);
    await tracing.shutdown();
  });

  it('is not made when the sampler drops it: the command still runs, and is answered as before', async () => {
    const { tracing, exporter, handler, ran } = traced({ ...SETTINGS, sampler: 'always_off' });
    await expect(handler.handle('CreateDepartment', { do: 'ok' }, CONTEXT)).resolves.toBe(RESULT);
    await expect(handler.handleTrusted('CreateDepartment', { do: 'refuse' }, CONTEXT)).rejects.toThrow(
      CommandRejected,
    );
    await tracing.flush();
    expect(ran).toEqual(['CreateDepartment', 'CreateDepartment']);
    expect(exporter.getFinishedSpans()).toEqual([]);
    // Under a request a caller did not sample, the default sampler drops the command too.
    const kept = traced();
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 0,
      isRemote: true,
    });
    await kept.tracing.within(unsampled, () =>
      kept.handler.handle('CreateDepartment', { do: 'ok' }, CONTEXT),
    );
    await kept.tracing.flush();
    expect(kept.exporter.getFinishedSpans()).toEqual([]);
    await Promise.all([tracing.shutdown(), kept.tracing.shutdown()]);
  });

  it('is the handler itself, unwrapped, when tracing is off', () => {
    const { handler } = fakeHandler();
    expect(tracedCommandHandler(handler, tracingOff)).toBe(handler);
  });
});
