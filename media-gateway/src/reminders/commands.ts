import { SYSTEM_ACTOR } from '@ccp/schemas';
import { CommandRejected, type CommandHandler } from '@ccp/command-service';

export type Send = (
  type: string,
  data: Record<string, unknown>,
  correlationId: string,
) => Promise<'done' | 'refused'>;

/**
 * Sends the manager's commands as the platform. A refusal (the appointment was completed meanwhile, the message
 * was already sent) is an answer, logged and passed on; anything else is an error for the caller to retry.
 */
export const sendFor =
  (handler: Pick<CommandHandler, 'handleTrusted'>, log: (message: string) => void): Send =>
  async (type, data, correlationId) => {
    try {
      await handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR, correlationId });
      return 'done';
    } catch (error) {
      if (error instanceof CommandRejected && error.status < 500 && error.status !== 409) {
        log(`reminders: ${type} refused (${error.code}): ${error.message}`);
        return 'refused';
      }
      throw error;
    }
  };
