import { SYSTEM_ACTOR } from '@ccp/schemas';
import { CommandRejected, type CommandHandler } from '@ccp/command-service';

export type Send = (
  type: string,
  data: Record<string, unknown>,
  correlationId: string,
  /** Refusals that mean the command's effect is there already (a contact with the derived id exists). */
  doneIf?: readonly string[],
) => Promise<'done' | 'refused'>;

/** Refusals that another try may not meet: the stream moved under the decision, or the platform was busy. */
const passing = (error: CommandRejected) =>
  error.status === 429 || error.code === 'CONCURRENCY_CONFLICT' || error.code.endsWith('_CHANGED');

/**
 * Sends the manager's commands as the platform. A refusal that is final (the appointment was completed
 * meanwhile, a ticket with the derived id exists) is an answer, logged and passed on; a passing refusal or
 * anything else is an error for the caller to retry.
 */
export const sendFor =
  (handler: Pick<CommandHandler, 'handleTrusted'>, log: (message: string) => void): Send =>
  async (type, data, correlationId, doneIf = []) => {
    try {
      await handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR, correlationId });
      return 'done';
    } catch (error) {
      if (error instanceof CommandRejected && doneIf.includes(error.code)) return 'done';
      if (error instanceof CommandRejected && !passing(error)) {
        log(`reminders: ${type} refused (${error.code}): ${error.message}`);
        return 'refused';
      }
      throw error;
    }
  };
