import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from './bus/port.js';

/** Sends a command to the write side, as the platform (a trusted system actor). */
export type SendCommand = (
  type: string,
  data: unknown,
  options: {
    /** Makes a repeated send (after a crash, a replay or a rebuild) a no-op on the write side. */
    readonly idempotencyKey: string;
    readonly correlationId?: string;
    readonly causationId?: string;
  },
) => Promise<void>;

export interface ProcessorContext {
  readonly readStore: ReadStore;
  readonly send: SendCommand;
  readonly log: (message: string) => void;
  /** The clock, for lag figures and time windows; never for event times, which come from the events. */
  readonly now: () => Date;
}

/**
 * A stream processor: one consumer group of the bus. It must be safe to run again over any batch (at-least-once
 * delivery, crashes, rebuilds from position 0): rows are written with the event position as their version, and
 * commands are sent with idempotency keys.
 */
export interface Processor {
  /** Consumer group name; also the prefix of the tables it owns. */
  readonly name: string;
  /** Event categories it reads (`call`, `tenant`, ...). */
  readonly categories: readonly string[];
  /** The read-store tables it owns: what a rebuild recreates and swaps. */
  readonly tables: readonly string[];
  /**
   * The version of what it derives (1 when absent). Raised when a release derives something new from the same
   * events, such as a column added by a migration: tables written by an older version are rebuilt from position
   * 0 on start, so old calls get the new facts too.
   */
  readonly version?: number;
  handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void>;
}
