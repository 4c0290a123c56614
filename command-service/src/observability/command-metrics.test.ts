import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { CommandHandler, CommandResult } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { CommandRoute } from '../commands/route.js';
import { observedCommandHandler } from './command-metrics.js';

const RESULT: CommandResult = {
  commandId: 'c',
  streamId: 's',
  nextRevision: 0,
  position: 1,
  events: [],
  replayed: false,
};

/** A fake handler that knows one type and answers by the input's `do`. */
const fakeHandler = (): CommandHandler => {
  const run = async (_type: string, input: unknown): Promise<CommandResult> => {
    const action = (input as { do: string }).do;
    if (action === 'refuse') throw new CommandRejected(422, 'PLAN_LIMIT_REACHED', 'no');
    if (action === 'fail') throw new Error('disk full');
    return RESULT;
  };
  return {
    handle: run,
    handleTrusted: run,
    routes: new Map([['CreateDepartment', {} as CommandRoute]]),
  };
};

const counts = async (registry: Registry) =>
  Object.fromEntries(
    ((await registry.getSingleMetric('ccp_commands_total')?.get())?.values ?? []).map((v) => [
      Object.values(v.labels).join('/'),
      v.value,
    ]),
  );

describe('the command handler metrics', () => {
  it('counts each command by known type, caller and outcome; an unknown type is "unknown"', async () => {
    const registry = new Registry();
    const handler = observedCommandHandler(fakeHandler(), registry);
    const actor = { kind: 'system', id: 'test' } as const;
    await handler.handle('CreateDepartment', { do: 'accept' }, { actor });
    await expect(handler.handle('CreateDepartment', { do: 'refuse' }, { actor })).rejects.toThrow('no');
    await expect(handler.handleTrusted('CreateDepartment', { do: 'fail' }, { actor })).rejects.toThrow(
      'disk',
    );
    await handler.handle('Made-Up-By-A-Client', { do: 'accept' }, { actor });
    expect(await counts(registry)).toEqual({
      'CreateDepartment/api/accepted': 1,
      'CreateDepartment/api/refused': 1,
      'CreateDepartment/platform/error': 1,
      'unknown/api/accepted': 1,
    });
    const refusals = await registry.getSingleMetric('ccp_command_refusals_total')?.get();
    expect(refusals?.values).toEqual([{ labels: { code: 'PLAN_LIMIT_REACHED' }, value: 1 }]);
    expect(handler.routes.has('CreateDepartment')).toBe(true);
  });
});
