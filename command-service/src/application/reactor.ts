import { decodeEvent, SYSTEM_ACTOR } from '@ccp/schemas';
import type { Reaction } from '../commands/route.js';
import type { EventStore, RecordedEvent } from '../event-store/port.js';
import type { CheckpointStore } from './checkpoints.js';
import type { CommandHandler } from './command-handler.js';
import { CommandRejected } from './errors.js';

const CHECKPOINT_EVERY = 500;

export interface ReactorOptions {
  readonly name: string;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly handler: CommandHandler;
  readonly reactions: ReadonlyMap<string, readonly Reaction[]>;
  readonly log?: (message: string) => void;
}

export interface RunningReactor {
  /** Resolves once every event up to `position` has been reacted to. */
  caughtUp(position: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the platform's follow-up commands (reactions) for every stored event, from a durable checkpoint. The
 * checkpoint moves only after an event's reactions are done, so a crash repeats reactions rather than losing
 * them; reactions are idempotent commands, so repeating is harmless.
 */
export const startReactor = async (options: ReactorOptions): Promise<RunningReactor> => {
  const { store, checkpoints, handler, reactions, name } = options;
  const log = options.log ?? (() => undefined);
  let position = (await checkpoints.load(name)) ?? 0;
  const waiters: { position: number; resolve: () => void }[] = [];
  const release = () => {
    for (const waiter of [...waiters]) {
      if (waiter.position <= position) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  let stopped = false;
  let saved = position;
  const subscription = store.subscribe({ after: position });

  const react = async (recorded: RecordedEvent): Promise<boolean> => {
    const wanted = reactions.get(recorded.type);
    if (!wanted) return false;
    const decoded = decodeEvent(recorded);
    if (!decoded.ok) {
      log(`${name}: cannot read ${recorded.type} ${recorded.id}: ${decoded.error.message}`);
      return false;
    }
    const event = decoded.value;
    for (const reaction of wanted) {
      for (const request of reaction(event)) {
        try {
          await handler.handleTrusted(request.definition.type, request.data, {
            actor: SYSTEM_ACTOR,
            correlationId: event.correlationId,
            causationId: event.id,
          });
        } catch (error) {
          // A refused follow-up is a fact to report, not a reason to stop the platform's reactions.
          if (!(error instanceof CommandRejected)) throw error;
          log(
            `${name}: ${request.definition.type} after ${event.type} ${event.id} refused: ${error.message}`,
          );
        }
      }
    }
    return true;
  };

  const loop = (async () => {
    for await (const recorded of subscription) {
      let reacted = false;
      for (let attempt = 1; !stopped; attempt += 1) {
        try {
          reacted = await react(recorded);
          break;
        } catch (error) {
          // The store or a service is down: wait and react to the same event again (reactions are idempotent).
          log(`${name}: reacting to ${recorded.id} failed (attempt ${attempt}): ${String(error)}`);
          await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** attempt)));
        }
      }
      if (stopped) return;
      position = recorded.position;
      // Events nobody reacts to need no durable checkpoint each: reading them again after a crash is harmless.
      if (reacted || position - saved >= CHECKPOINT_EVERY) {
        await checkpoints.save(name, position);
        saved = position;
      }
      release();
    }
  })();

  return {
    caughtUp: (target) =>
      target <= position
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ position: target, resolve })),
    stop: async () => {
      stopped = true;
      await subscription.close();
      await loop.catch((error: unknown) => log(`${name}: stopped on ${String(error)}`));
      if (position !== saved) await checkpoints.save(name, position);
    },
  };
};
