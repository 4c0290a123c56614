import type { Actor } from '@ccp/schemas';
import { type CommandHandler, CommandRejected } from '@ccp/command-service';
import { CommandRefusedError, type CommandSender } from './conversation/commands.js';

export const GATEWAY_ACTOR: Actor = { kind: 'telephony', id: 'media-gateway' };

/**
 * The gateway's commands go straight to the command handler as the platform's telephony actor. A refusal
 * becomes a CommandRefusedError the conversation can explain; conflicts and failures stay errors, except a
 * slot taken on a calendar (SLOT_TAKEN), which the caller hears about.
 */
export const commandSenderFor = (handler: CommandHandler): CommandSender => ({
  send: async (type, data, options) => {
    try {
      const result = await handler.handleTrusted(type, data, {
        actor: GATEWAY_ACTOR,
        ...(options?.correlationId !== undefined && { correlationId: options.correlationId }),
      });
      return { recorded: result.events.length };
    } catch (error) {
      // A slot another caller took first is a refusal the agent explains (with new offers), not a conflict.
      const refused =
        error instanceof CommandRejected && (error.status !== 409 || error.code === 'SLOT_TAKEN');
      if (error instanceof CommandRejected && error.status < 500 && refused) {
        throw new CommandRefusedError(error.code, error.message, error.field);
      }
      throw error;
    }
  },
});
