import { Counter, Histogram } from 'prom-client';
import type { CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import { FAST_SECONDS, type MetricsRegistry } from './metrics.js';

type Outcome = 'accepted' | 'refused' | 'error';

/**
 * The command handler's own metrics: every command by type, caller and outcome, its duration, and refusals by
 * code. `accepted`: stored, or nothing to change (a repeat); `refused`: a 4xx answer, nothing stored; `error`:
 * anything else. A type the catalog does not know is counted as `unknown`, so a client cannot grow the series.
 */
export const observedCommandHandler = (
  handler: CommandHandler,
  registry: MetricsRegistry,
): CommandHandler => {
  const commands = new Counter({
    name: 'ccp_commands_total',
    help: 'Commands handled, by type, caller (api: a credential; platform: reactions, processors, the gateway) and outcome (accepted, refused, error)',
    labelNames: ['type', 'caller', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ccp_command_duration_seconds',
    help: 'Time to handle a command (validate, load, decide, append), by caller and outcome',
    labelNames: ['caller', 'outcome'],
    buckets: FAST_SECONDS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'ccp_command_refusals_total',
    help: 'Commands refused, by error code (VALIDATION_FAILED, CONCURRENCY_CONFLICT, PLAN_LIMIT_REACHED, ...)',
    labelNames: ['code'],
    registers: [registry],
  });
  const observed =
    (caller: 'api' | 'platform', run: CommandHandler['handle']): CommandHandler['handle'] =>
    async (type, input, context) => {
      const started = performance.now();
      let outcome: Outcome = 'error';
      try {
        const result = await run(type, input, context);
        outcome = 'accepted';
        return result;
      } catch (error) {
        if (error instanceof CommandRejected && error.status < 500) {
          outcome = 'refused';
          refusals.inc({ code: error.code });
        }
        throw error;
      } finally {
        commands.inc({ type: handler.routes.has(type) ? type : 'unknown', caller, outcome });
        duration.observe({ caller, outcome }, (performance.now() - started) / 1000);
      }
    };
  return {
    handle: observed('api', (type, input, context) => handler.handle(type, input, context)),
    handleTrusted: observed('platform', (type, input, context) =>
      handler.handleTrusted(type, input, context),
    ),
    routes: handler.routes,
  };
};
