import { BoundedMap } from '../bounded-map.js';
import { RECENT_CALLS } from './context.js';

/**
 * Demo clocks: how far a call asked to be shifted from the real clock (ms), by call id. A call asks for one with
 * IncomingCall.demoAt, honoured only on the embedded demo profile (GatewayDependencies.demoClock).
 */
export class DemoClocks {
  private readonly clocks = new BoundedMap<string, number>(RECENT_CALLS);

  constructor(private readonly now: () => Date) {}

  /** The call asks to run "as if" at `at` (the gateway asks only when DEMO_CLOCK is on). */
  ask(callId: string, at: Date): void {
    // Kept from the first answer: the same webhook asked again must not move the call's clock.
    if (!this.clocks.has(callId)) this.clocks.set(callId, at.getTime() - this.now().getTime());
  }

  has(callId: string): boolean {
    return this.clocks.has(callId);
  }

  /**
   * A call's clock: the gateway's, shifted by the call's demo clock when it asked for one (DEMO_CLOCK only).
   * It judges business hours and "tomorrow"; events keep the real time they happened.
   */
  clockFor(callId: string): () => Date {
    return () => new Date(this.now().getTime() + (this.clocks.get(callId) ?? 0));
  }
}
