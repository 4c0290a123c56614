import type { GatewayDependencies } from '../gateway.js';
import type { DemoClocks } from './demo-clocks.js';
import type { HeldSessions } from './held-sessions.js';
import type { PendingIvr } from './ivr-menu.js';

/** Late callbacks (recording, feedback) come within minutes; this many calls cover hours of a busy tenant. */
export const RECENT_CALLS = 50_000;

/**
 * What the gateway's parts (answering, repeated openings, the IVR menu, outbound calls) share, built once by
 * MediaGateway (gateway.ts): its dependencies, the calls it holds, and how it records a call's steps.
 */
export interface GatewayContext {
  readonly deps: GatewayDependencies;
  readonly sessions: HeldSessions;
  readonly clocks: DemoClocks;
  /** Calls in an IVR menu, waiting for the caller's choice. */
  readonly ivr: Map<string, PendingIvr>;
  /** The tenant of a recent call, for callbacks that come after the call (recordings, feedback). */
  readonly tenantOf: (callId: string) => string | undefined;
  /** Sends a command about the call, correlated by its id. */
  readonly send: (
    tenantId: string,
    callId: string,
    type: string,
    data: Record<string, unknown>,
  ) => Promise<void>;
}
