import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Middleware } from 'koa';
import { decodeEvent } from '@ccp/schemas';
import {
  createCommandHandler,
  deliveryMetrics,
  tracedFetch,
  type PlatformContext,
  type PlatformModule,
  type RunningModule,
  type MediaGatewaySettings,
} from '@ccp/command-service';
import { commandSenderFor } from './command-sender.js';
import { endOfLog } from './end-of-log.js';
import { startCallbackFollower } from './dialer/callbacks.js';
import { leadIn } from './dialer/campaign-view.js';
import { startDialer, type Dialer } from './dialer/dialer.js';
import { startBilling, type BillingHooks, type RunningBilling } from './billing/start.js';
import { startMessaging, type MessagingHooks, type RunningMessaging } from './messaging/start.js';
import type { Reminders } from './reminders/manager.js';
import { startAppointmentReminders, type RemindersHooks } from './reminders/start.js';
import { leadVariables } from './conversation/lead-variables.js';
import { createLiveDirectory } from './directory/live-directory.js';
import { createLiveConnections } from './integrations/live-connections.js';
import { startIntegrations, type IntegrationsHooks, type RunningIntegrations } from './integrations/start.js';
import { tenantRoutedCarrier, tenantTwilio } from './integrations/tenant-twilio.js';
import { createTwilioSender } from './messaging/twilio.js';
import { startConfiguredCalendarSync, type CalendarSync } from './calendar-sync/index.js';
import { createOfflineDialogueEngine } from './dialogue/engine.js';
import { MediaGateway } from './gateway.js';
import { gatewayMetrics } from './gateway-metrics.js';
import { gatewayTracing } from './gateway-tracing.js';
import { tenantKnowledge } from './knowledge.js';
import { lazySentenceEncoder } from './embeddings/sentence-encoder.js';
import { modelTranslator } from './translation/translator.js';
import { queueWaits } from './queue-waits.js';
import { createLanguageModel, createProviderModel, createTenantModels, llmBudgets } from './llm/index.js';
import type { LanguageModel } from './llm/port.js';
import { failureKindOf } from './llm/provider-failures.js';
import { startLocalCarrier, type LocalCarrier } from './simulator/local-carrier.js';
import { createSpeech } from './speech/index.js';
import { createTenantSpeech } from './speech/tenant-speech.js';
import { callControl, humanHandover } from './telephony/call-control.js';
import { countedCarrier, createTwilioCarrier, type Carrier } from './telephony/carrier.js';
import { mediaStreams } from './telephony/media-streams.js';
import { streamTokens } from './telephony/stream-token.js';
import { HumanPresence } from './telephony/presence.js';
import { twilioWebhooks } from './telephony/twilio-webhooks.js';
import type { WebhookAccounts } from './telephony/twilio-signature.js';

const LocalAccount = z.object({
  accountSid: z.string().regex(/^AC[0-9a-f]{32}$/),
  authToken: z.string().min(32),
});
export type LocalTwilioAccount = z.infer<typeof LocalAccount>;

/**
 * The embedded profile's Twilio account: made up on first start and kept in the data directory (mode 600), so
 * that the caller simulator can sign webhooks and the local carrier can check the REST client's credentials.
 */
export const localTwilioAccount = (dataDir: string): LocalTwilioAccount => {
  const path = join(dataDir, 'twilio-local.json');
  if (existsSync(path)) return LocalAccount.parse(JSON.parse(readFileSync(path, 'utf8')));
  const account = {
    accountSid: `AC${randomBytes(16).toString('hex')}`,
    authToken: randomBytes(24).toString('hex'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, JSON.stringify(account, null, 2), { mode: 0o600 });
  return account;
};

export interface MediaGatewayModule extends PlatformModule {
  /** The running gateway, for tests and benchmarks (live call count, turn latencies). */
  readonly gateway: () => MediaGateway | undefined;
  /** The running campaign dialer (benchmarks, tests). */
  readonly dialer: () => Dialer | undefined;
  /** The Google Calendar sync, when configured (tests). */
  readonly calendarSync: () => CalendarSync | undefined;
  /** Messaging: the senders (the embedded outbox), the delivery worker (tests). */
  readonly messaging: () => RunningMessaging | undefined;
  /** The appointment reminders process manager (tests). */
  readonly reminders: () => Reminders | undefined;
  /** Billing: the worker, the Stripe meter relay and their counts (tests). */
  readonly billing: () => RunningBilling | undefined;
  /** The delivery engine (planner, dispatcher) and its counts (tests). */
  readonly integrations: () => RunningIntegrations | undefined;
}

export const mediaGatewayModule = (
  settings: MediaGatewaySettings,
  hooks: {
    readonly onTurnLatency?: (ms: number) => void;
    /** The gateway's clock (business hours, "tomorrow"); tests set a known weekday and hour. */
    readonly now?: () => Date;
    /** Told how long each Twilio webhook took inside the platform (benchmarks). */
    readonly onWebhookTime?: (path: string, ms: number) => void;
    /** Wraps the conversation model, e.g. to time it apart from the gateway (benchmarks). */
    readonly wrapModel?: (model: LanguageModel) => LanguageModel;
    /**
     * The campaign dialer's settings: lease and idle tick, and a clock for the campaign decisions (tests step
     * it to reach retry times; its commands then go through a handler on that clock).
     */
    readonly dialer?: {
      readonly leaseSeconds?: number;
      readonly idleTickMs?: number;
      readonly sweepMs?: number;
      readonly clock?: () => Date;
    };
    /** The messaging worker's clock and poll (tests step it to reach retry times). */
    readonly messaging?: MessagingHooks;
    /** The reminders' clock and poll (tests move it to reminder and no-show times). */
    readonly reminders?: RemindersHooks;
    /** The billing worker's clock and poll (tests move it to a month's end or a grace period's). */
    readonly billing?: BillingHooks;
    /** The delivery engine's clock, poll and jitter (tests reach retry times). */
    readonly integrations?: IntegrationsHooks;
  } = {},
): MediaGatewayModule => {
  let gateway: MediaGateway | undefined;
  let dialer: Dialer | undefined;
  let calendarSync: CalendarSync | undefined;
  let messaging: RunningMessaging | undefined;
  let reminders: Reminders | undefined;
  let billing: RunningBilling | undefined;
  let integrations: RunningIntegrations | undefined;
  return {
    name: 'media-gateway',
    gateway: () => gateway,
    dialer: () => dialer,
    calendarSync: () => calendarSync,
    messaging: () => messaging,
    reminders: () => reminders,
    billing: () => billing,
    integrations: () => integrations,
    async start(context: PlatformContext): Promise<RunningModule> {
      const { log } = context;
      const live = createLiveDirectory(context.store);
      await live.catchUp();
      // Tenants' own provider accounts and outside systems: read as calls run (catch up before each use).
      const connections = createLiveConnections(context.store, context.keys);
      await connections.catchUp();
      const offline = createOfflineDialogueEngine();
      // The platform's model and speech requests carry the current span as their traceparent when it traces.
      const providerFetch = tracedFetch(context.tracing);
      const transport = providerFetch === undefined ? {} : { fetch: providerFetch };
      // The settings carry the timeouts, retries and streaming too; the log is where each fallback is told.
      const created = createLanguageModel(settings.conversationModel, offline, log, transport);
      // Read at each scrape: what does not exist yet counts as nothing.
      const metrics = gatewayMetrics(context.metrics, {
        liveCalls: () => gateway?.liveCalls ?? 0,
        deliveries: () => integrations?.stats(),
        messages: () => messaging?.worker.stats(),
      });
      const model = metrics.timedModel(hooks.wrapModel ? hooks.wrapModel(created) : created);
      // Spans of the calls' turns, model requests and tool calls: none unless the platform traces.
      const tracing = gatewayTracing(context.tracing);
      const speech = createSpeech(
        {
          sttProvider: settings.speechToText,
          ttsProvider: settings.textToSpeech,
          ...(settings.openaiApiKey !== undefined && { openaiApiKey: settings.openaiApiKey }),
        },
        transport,
      );
      // Tenants who brought their own model or speech account: theirs answers, the platform's backs it up.
      const { apiUrls } = settings.integrations;
      const tenantModels = createTenantModels({
        connections,
        platform: model,
        fetch: context.outbound.fetch,
        apiUrls: {
          ...(apiUrls.openai !== undefined && { openai: apiUrls.openai }),
          ...(apiUrls.anthropic !== undefined && { anthropic: apiUrls.anthropic }),
        },
        // The platform's LLM settings hold for tenants' own models too.
        ...llmBudgets(settings.conversationModel),
        log,
      });
      const tenantSpeech = createTenantSpeech({
        connections,
        platform: speech.stt,
        ...(apiUrls.google_speech !== undefined && { apiUrl: apiUrls.google_speech }),
        log,
      });
      // Knowledge found by meaning too when the sentence encoder is prepared; without it, by words alone.
      const encoder = settings.sentenceEncoder && lazySentenceEncoder(settings.sentenceEncoder);
      // An article in another language than the caller's is said in theirs when a model is configured.
      const translationModel = createProviderModel(settings.conversationModel, transport);
      const translator = translationModel && modelTranslator(translationModel, { log });
      const presence = new HumanPresence();
      const commands = commandSenderFor(context.handler);
      const recordings: { carrier?: Carrier; callbackBase: () => string } = { callbackBase: () => '' };
      gateway = new MediaGateway({
        live,
        commands,
        // Traced as calls use them: a tenant's own model falling back to the platform's is one request.
        model: tracing.tracedModel(metrics.voiceModel(model)),
        // The offline engine greets even when a remote model (the platform's or a tenant's) converses: the first
        // webhook answers at once.
        greeter: offline,
        ...(settings.conversationModel.gatherTurnMs !== undefined && {
          gatherTurnMs: settings.conversationModel.gatherTurnMs,
        }),
        ...(settings.conversationModel.timeoutMs !== undefined && {
          turnTimeoutMs: settings.conversationModel.timeoutMs,
        }),
        // Its default (LLM_FILLER_MS) is the platform configuration's; omitted, no filler is said.
        ...(settings.conversationModel.fillerMs !== undefined && {
          fillerMs: settings.conversationModel.fillerMs,
        }),
        modelFor: (tenantId) => tracing.tracedModel(metrics.voiceModel(tenantModels.modelFor(tenantId))),
        tracing,
        searchKnowledge: tenantKnowledge(live.directory, { encoder, translator, log }),
        humansAvailable: (tenantId, departmentId) => presence.available(tenantId, departmentId),
        // The integrations start after the gateway: until then (and without them) a caller is in no CRM.
        crmRecord: async (tenantId, phone) => integrations?.crmRecord(tenantId, phone),
        now: hooks.now ?? (() => new Date()),
        demoClock: settings.demoClock,
        log,
        leadVariables: async (tenantId, campaignId, leadId) => {
          const view = await dialer?.campaign(tenantId, campaignId);
          const lead = view && leadIn(view, leadId);
          return lead && leadVariables(lead);
        },
        // The carrier is set up after the gateway: recording consent reaches it once it is.
        recorder: {
          start: async (callId) => {
            await recordings.carrier?.startRecording(callId, `${recordings.callbackBase()}/twilio/recording`);
          },
          stop: async (callId) => recordings.carrier?.stopRecording(callId),
          delete: async (callId, recordingId) => recordings.carrier?.deleteRecording(callId, recordingId),
        },
        readCall: async (tenantId, callId) =>
          (await context.store.readStream(`call-${tenantId}.${callId}`)).flatMap((recorded) => {
            const decoded = decodeEvent(recorded);
            return decoded.ok ? [decoded.value] : [];
          }),
      });

      let localCarrier: LocalCarrier | undefined;
      let account: { accountSid: string; authToken: string; apiUrl?: string };
      if (settings.twilio) {
        account = settings.twilio;
      } else {
        const local = localTwilioAccount(context.config.dataDir);
        localCarrier = await startLocalCarrier({ accountSid: local.accountSid, authToken: local.authToken });
        account = { ...local, apiUrl: localCarrier.url };
      }
      // Tenants that brought their own Twilio account: its webhooks, calls and messages go through it.
      const apiUrl = account.apiUrl !== undefined ? { apiUrl: account.apiUrl } : {};
      const ownTwilio = tenantTwilio({
        connections,
        platformAccountSid: account.accountSid,
        carrierFor: (own) => createTwilioCarrier({ ...own, ...apiUrl }),
        senderFor: (own) => createTwilioSender({ ...own, ...apiUrl }),
      });
      const ownerOfNumber = async (number: string) => {
        await live.catchUp();
        return live.directory.number(number)?.tenantId;
      };
      const tenantOfCall = async (callId: string) => {
        const known = gateway?.tenantOf(callId);
        if (known !== undefined) return known;
        await live.catchUp();
        return live.directory.tenantOfCall(callId);
      };
      const accounts: WebhookAccounts = { byAccountSid: ownTwilio.byAccountSid, ownerOfNumber, tenantOfCall };
      const providerErrors = deliveryMetrics(context.metrics);
      const carrier = countedCarrier(
        tenantRoutedCarrier({
          platform: createTwilioCarrier(account),
          twilio: ownTwilio,
          tenantOfNumber: ownerOfNumber,
          tenantOfCall,
        }),
        'twilio',
        (provider, error) => providerErrors.providerError('telephony', provider, failureKindOf(error)),
      );
      let platformUrl = '';
      const callbackBase = () => settings.publicUrl?.replace(/\/$/, '') ?? platformUrl;
      recordings.carrier = carrier;
      recordings.callbackBase = callbackBase;

      // Issued in the TwiML that starts a stream, checked when the stream starts: binds each stream to its call.
      const tokens = streamTokens({ authToken: account.authToken });
      const webhooks = twilioWebhooks({
        gateway,
        streamTokens: tokens,
        ...(hooks.onWebhookTime && { onWebhookTime: hooks.onWebhookTime }),
        authToken: account.authToken,
        accounts,
        ...(settings.publicUrl !== undefined && { publicUrl: settings.publicUrl }),
        log,
      });
      const control = callControl({
        gateway,
        live,
        carrier,
        presence,
        auth: context.auth,
        authToken: account.authToken,
        accounts,
        callbackBase,
        ...(settings.publicUrl !== undefined && { publicUrl: settings.publicUrl }),
        tts: speech.tts,
        campaignCall: async (tenantId, campaignId, leadId) => {
          const view = await dialer?.campaign(tenantId, campaignId);
          const lead = view && leadIn(view, leadId);
          const settings = view?.state.settings;
          return settings && lead
            ? { voicemail: settings.voicemail, variables: leadVariables(lead) }
            : undefined;
        },
      });
      const streams = mediaStreams({
        gateway,
        stt: speech.stt,
        sttFor: (tenantId) => tenantSpeech.sttFor(tenantId),
        tts: speech.tts,
        authToken: account.authToken,
        tenantAccounts: ownTwilio.knownAccounts,
        tenantOfCall,
        streamTokens: tokens,
        ...(settings.publicUrl !== undefined && { publicUrl: settings.publicUrl }),
        endOfSpeechMs: settings.endOfSpeechMs,
        log,
        onTurnLatency: (ms) => {
          metrics.firstAudio(ms);
          hooks.onTurnLatency?.(ms);
        },
        onTurnTimings: (timings) => metrics.voiceTurn(timings),
        modelTimeIn: metrics.modelTimeIn,
        tracing,
      });

      // People join and take over calls through the command API; the gateway follows those events live.
      const handover = humanHandover(gateway, carrier, log);
      const waits = queueWaits(context.metrics);
      const subscription = context.store.subscribe({ after: await endOfLog(context.store) });
      const following = (async () => {
        for await (const recorded of subscription) {
          if (!recorded.streamId.startsWith('call-')) continue;
          const decoded = decodeEvent(recorded);
          if (decoded.ok) waits.apply(decoded.value);
          if (decoded.ok) await handover(decoded.value).catch((e: unknown) => log(`handover: ${String(e)}`));
        }
      })();

      const campaignClock = hooks.dialer?.clock;
      dialer = await startDialer({
        store: context.store,
        handler: campaignClock
          ? createCommandHandler({
              store: context.store,
              routes: [...context.handler.routes.values()],
              clock: campaignClock,
            })
          : context.handler,
        carrier,
        gateway,
        live,
        // The clock its commands are decided on: ages and billing periods are judged on the same one.
        now: campaignClock ?? (() => new Date()),
        callbackBase,
        log,
        ...(hooks.dialer?.leaseSeconds !== undefined && { leaseSeconds: hooks.dialer.leaseSeconds }),
        ...(hooks.dialer?.idleTickMs !== undefined && { idleTickMs: hooks.dialer.idleTickMs }),
        ...(hooks.dialer?.sweepMs !== undefined && { sweepMs: hooks.dialer.sweepMs }),
      });
      const callbacks = await startCallbackFollower({
        store: context.store,
        checkpoints: context.checkpoints,
        handler: context.handler,
        log,
      });
      calendarSync = await startConfiguredCalendarSync(
        settings.googleCalendar,
        context,
        hooks.now ?? (() => new Date()),
      );

      const running = await startMessaging({
        settings,
        context,
        live,
        authToken: account.authToken,
        accounts,
        tenantTwilio: ownTwilio.senderOf,
        callbackBase,
        ...(hooks.messaging && { hooks: hooks.messaging }),
      });
      messaging = running;
      reminders = await startAppointmentReminders({
        context,
        live,
        ...(hooks.reminders && { hooks: hooks.reminders }),
      });

      const runningBilling = await startBilling({ context, ...(hooks.billing && { hooks: hooks.billing }) });
      billing = runningBilling;
      const runningIntegrations = await startIntegrations({
        context,
        settings: settings.integrations,
        connections,
        commands,
        consoleUrl: callbackBase,
        ...(account.apiUrl !== undefined && { twilioApiUrl: account.apiUrl }),
        ...(hooks.integrations && { hooks: hooks.integrations }),
      });
      integrations = runningIntegrations;

      const http: Middleware = async (ctx, next) => {
        // Before any body parser: Stripe signs the raw bytes.
        if (ctx.path.startsWith('/stripe/')) return runningBilling.webhook(ctx, next);
        // The connection routes, and the helpdesks' status webhooks (/integrations/zendesk|freshdesk/…).
        if (ctx.path.startsWith('/api/integrations/') || ctx.path.startsWith('/integrations/')) {
          return runningIntegrations.http(ctx, () =>
            control(ctx, () => webhooks(ctx, () => running.webhooks(ctx, next))),
          );
        }
        if (ctx.path.startsWith('/twilio/') || ctx.path.startsWith('/api/')) {
          return control(ctx, () => webhooks(ctx, () => running.webhooks(ctx, next)));
        }
        return next();
      };
      return {
        http,
        upgrade: streams.upgrade,
        listening: (url) => {
          platformUrl = url;
        },
        stop: async () => {
          await dialer?.stop();
          await callbacks.stop();
          await calendarSync?.stop();
          await reminders?.stop();
          await integrations?.stop();
          await billing?.stop();
          await running.stop();
          await streams.close();
          await tenantSpeech.close();
          await subscription.close();
          await following.catch(() => undefined);
          await localCarrier?.stop();
          await encoder?.close();
        },
      };
    },
  };
};
