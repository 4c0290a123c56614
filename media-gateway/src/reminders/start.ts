import { hkdfSync } from 'node:crypto';
import { createCommandHandler, subjectOf, type PlatformContext } from '@ccp/command-service';
import type { LiveDirectory } from '../directory/live-directory.js';
import { startReminders, type Reminders } from './manager.js';

export interface RemindersHooks {
  /** The clock messages are planned and no-shows judged on (tests move it to reminder and grace times). */
  readonly clock?: () => Date;
  /** How often the no-show timers look at the clock. */
  readonly pollMs?: number;
}

/**
 * The gateway's appointment reminders: the process manager on the platform's log and checkpoints, naming the
 * business as the directory knows it and sending SMS from the number of the agent who booked (else of another of the tenant's agents).
 */
export const startAppointmentReminders = async (options: {
  readonly context: PlatformContext;
  readonly live: LiveDirectory;
  readonly hooks?: RemindersHooks;
}): Promise<Reminders> => {
  const { context, live, hooks } = options;
  const now = hooks?.clock ?? (() => new Date());
  const handler = hooks?.clock
    ? createCommandHandler({ store: context.store, routes: [...context.handler.routes.values()], clock: now })
    : context.handler;
  const contactIdKeys = new Map<string, Buffer>();
  // A key of its own for this one use, derived with a label from the tenant's subject key (as the calendar feed's).
  const contactIdKey = (tenantId: string): Buffer => {
    let key = contactIdKeys.get(tenantId);
    if (!key) {
      const subjectKey = context.keys.keyFor(subjectOf(tenantId, 'reply-contact-ids'));
      key = Buffer.from(hkdfSync('sha256', subjectKey, '', 'ccp reply contact id v1', 32));
      contactIdKeys.set(tenantId, key);
    }
    return key;
  };
  return startReminders({
    store: context.store,
    contactIdKey,
    checkpoints: context.checkpoints,
    handler,
    now,
    log: context.log,
    ...(hooks?.pollMs !== undefined && { pollMs: hooks.pollMs }),
    business: async (appointment) => {
      await live.catchUp();
      const tenant = live.directory.tenant(appointment.tenantId);
      // The number of the agent who booked it, else of the tenant's first agent that has one.
      const agents = [
        ...(appointment.agentId === undefined ? [] : [appointment.agentId]),
        ...live.directory.agents(appointment.tenantId).map((a) => a.agentId),
      ];
      const sender = agents
        .map((agentId) => live.directory.numberOf(appointment.tenantId, agentId))
        .find((n) => n?.startsWith('+') === true);
      return {
        name: tenant?.name ?? appointment.tenantId,
        ...(sender !== undefined && { senderNumber: sender }),
      };
    },
  });
};
