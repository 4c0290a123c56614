import type { z } from 'zod';
import type { Actor } from './envelope.js';

export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly category: string;
  readonly type: T;
  readonly version: number;
  readonly data: S;
}

export interface CommandDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly kind: 'command';
  readonly category: string;
  readonly type: T;
  readonly data: S;
  readonly description: string;
}

export const defineEvent = <const T extends string, S extends z.ZodType>(
  category: string,
  type: T,
  version: number,
  data: S,
): EventDefinition<T, S> => ({ kind: 'event', category, type, version, data });

export const defineCommand = <const T extends string, S extends z.ZodType>(
  category: string,
  type: T,
  data: S,
  description: string,
): CommandDefinition<T, S> => ({ kind: 'command', category, type, data, description });

/** Context every command carries into `decide`; deciders read the clock from here, never from `Date`. */
export interface CommandMetadata {
  readonly now: Date;
  readonly actor: Actor;
  readonly commandId: string;
  readonly correlationId: string;
}

export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? { type: T; data: z.output<S> } : never;
export type CommandOf<D> =
  D extends CommandDefinition<infer T, infer S>
    ? { type: T; data: z.output<S>; metadata: CommandMetadata }
    : never;
/** The command as it arrives over the wire, before validation fills in defaults. */
export type CommandInputOf<D> = D extends CommandDefinition<infer _T, infer S> ? z.input<S> : never;
