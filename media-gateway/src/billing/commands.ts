import { SYSTEM_ACTOR } from '@ccp/schemas';
import { CommandRejected, isPassingRefusal, type CommandHandler } from '@ccp/command-service';

export type BillingSend = (
  type: string,
  data: Record<string, unknown>,
  options: {
    readonly correlationId: string;
    /** The command service keeps it for ever: the same command sent again after a crash answers as the first. */
    readonly idempotencyKey?: string;
  },
) => Promise<'done' | 'refused'>;

/**
 * Sends the billing worker's commands as the platform. A final refusal (the account is not open, the snapshot
 * is older than the one recorded) is an answer, logged and passed on; a passing refusal or anything else is an
 * error for the caller to retry.
 */
export const billingSendFor =
  (handler: Pick<CommandHandler, 'handleTrusted'>, log: (message: string) => void): BillingSend =>
  async (type, data, options) => {
    try {
      await handler.handleTrusted(type, data, {
        actor: SYSTEM_ACTOR,
        correlationId: options.correlationId,
        ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
      });
      return 'done';
    } catch (error) {
      if (error instanceof CommandRejected && !isPassingRefusal(error)) {
        log(`billing: ${type} for ${String(data['tenantId'])} refused (${error.code}): ${error.message}`);
        return 'refused';
      }
      throw error;
    }
  };
