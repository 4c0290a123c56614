import { decodeEvent, type EventEnvelope } from '@ccp/schemas';
import { mediaGatewayModule, type MediaGatewayModule } from '@ccp/media-gateway';
import {
  placeInboundCall,
  startLocalCarrier,
  twilioSid,
  type CallResult,
  type Callee,
  type InboundCallOptions,
  type LocalCarrier,
} from '@ccp/media-gateway/simulator';
import { verifyStreamChain } from '@ccp/command-service';
import { DEMO_TENANT, enginesOf, seedDemo, streamProcessing, type StreamProcessing } from '@ccp/infra';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import type { PlatformConfig, PlatformModule } from '@ccp/command-service';
import { startTestPlatform, type TestPlatform } from './platform.js';

/** The next Monday (at least a day ahead, so bookings for "tomorrow" are in the future) at an hour in a zone. */
export const nextMondayIn = (timeZone: string, hour: number, from = new Date()): Date => {
  const day = new Date(from.getTime() + 2 * 86_400_000);
  while (day.getUTCDay() !== 1) day.setUTCDate(day.getUTCDate() + 1);
  // The zone's offset that Monday (summer time included), probed at noon UTC.
  const probe = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12));
  const localHour = Number(
    new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(probe),
  );
  const offset = 12 - localHour;
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour + offset));
};

/** The next Monday (at least a day ahead, so bookings for "tomorrow" are in the future) at an hour in New York. */
export const nextMondayInNewYork = (hour: number, from = new Date()): Date =>
  nextMondayIn('America/New_York', hour, from);

export type PlatformCallOptions = Omit<
  InboundCallOptions,
  'baseUrl' | 'authToken' | 'accountSid' | 'registry' | 'voicePath'
> & { readonly voicePath?: string };

export interface GatewayPlatform {
  readonly test: TestPlatform;
  readonly carrier: LocalCarrier;
  readonly gateway: MediaGatewayModule;
  readonly authToken: string;
  readonly accountSid: string;
  /** The stream processors, with `readSide`. */
  readonly processing?: StreamProcessing;
  /** Decoded events of a call's stream (in the demo tenant unless another is named). */
  callEvents(callSid: string, tenantId?: string): Promise<EventEnvelope[]>;
  /**
   * Someone dials one of the platform's numbers: signed webhooks to /twilio/voice (or `voicePath`) and
   * /twilio/status from this platform's Twilio account, through its local carrier.
   */
  call(options: PlatformCallOptions): Promise<CallResult>;
  stop(): Promise<void>;
}

/**
 * The platform with the media gateway on the demo tenant, its Twilio account pointed at a local carrier (the
 * simulator's stand-in of Twilio's REST API), and the gateway's clock at a chosen hour.
 */
export const startGatewayPlatform = async (options: {
  readonly now: () => Date;
  readonly callee?: (request: { to: string }) => Callee;
  readonly env?: Record<string, string>;
  /** Module hooks besides the clock (turn latency, model wrapper). */
  readonly hooks?: Omit<NonNullable<Parameters<typeof mediaGatewayModule>[1]>, 'now'>;
  /** Receives the platform's log lines (silent when omitted). */
  readonly log?: (message: string) => void;
  /** Also the stream processors and the query API, as `npm start` runs them. */
  readonly readSide?: boolean;
  /** More services beside the gateway (e.g. the alert evaluator), given the stream processors with `readSide`. */
  readonly modules?: (config: PlatformConfig, processing?: StreamProcessing) => readonly PlatformModule[];
}): Promise<GatewayPlatform> => {
  const accountSid = twilioSid('AC');
  const authToken = 'test-auth-token-0123456789abcdef';
  const carrier = await startLocalCarrier({
    accountSid,
    authToken,
    ...(options.callee && { callee: options.callee }),
  });
  let module: MediaGatewayModule | undefined;
  const processing = options.readSide ? streamProcessing(createProcessors()) : undefined;
  const test = await startTestPlatform(undefined, {
    ...(processing && { processing }),
    ...(options.log && { log: options.log }),
    env: {
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_API_URL: carrier.url,
      END_OF_SPEECH_MS: '300',
      ...options.env,
    },
    modules: (config) => {
      module = mediaGatewayModule(config.mediaGateway, { ...options.hooks, now: options.now });
      const more = options.modules?.(config, processing) ?? [];
      return processing
        ? [
            module,
            queryApiModule(() => processing.readStore(), verifyStreamChain, { engines: enginesOf(config) }),
            ...more,
          ]
        : [module, ...more];
    },
  });
  await seedDemo(test.platform, 'demo-password-1');
  if (!module) throw new Error('the media gateway did not start');
  const gateway = module;
  return {
    test,
    carrier,
    gateway,
    accountSid,
    authToken,
    ...(processing && { processing }),
    call: (options) =>
      placeInboundCall({
        voicePath: '/twilio/voice',
        statusCallbackPath: '/twilio/status',
        ...options,
        baseUrl: test.url,
        authToken,
        accountSid,
        registry: carrier.registry,
      }),
    callEvents: async (callSid, tenantId = DEMO_TENANT) =>
      (await test.platform.store.readStream(`call-${tenantId}.${callSid}`)).flatMap((recorded) => {
        const decoded = decodeEvent(recorded);
        return decoded.ok ? [decoded.value] : [];
      }),
    stop: async () => {
      await test.stop();
      await carrier.stop();
    },
  };
};
