import { randomUUID } from 'node:crypto';
import {
  CommandAccepted,
  decodeEvent,
  latestEventDefinition,
  parseWith,
  PLATFORM_TENANT,
  streamName,
  type Actor,
  type ApiKeyScope,
  type CommandMetadata,
  type DomainEvent,
  type EventEnvelope,
  type EventMetadata,
} from '@ccp/schemas';
import type { CommandRoute } from '../commands/route.js';
import { DomainError } from '../domain/decider.js';
import { tenantDecider } from '../domain/tenant.js';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../event-store/port.js';
import { CommandRejected, statusOfDomainCode } from './errors.js';
import { authorize, commandAccess, tenantIdIn } from '../http/authorize.js';
import { createStateCache } from './state-cache.js';
import { canonicalJson, deterministicUuid, sha256 } from './ids.js';

export interface CommandContext {
  /** Who sends the command, as authenticated by the API. */
  readonly actor: Actor;
  /** Makes a retried request answer as the first one did instead of acting twice. */
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** The scopes of the API key that sent the command; absent for a session, which holds every scope. */
  readonly scopes?: readonly ApiKeyScope[];
}

export interface CommandResult {
  readonly commandId: string;
  readonly streamId: string;
  /** The stream's last revision after the command; null when the stream still does not exist. */
  readonly nextRevision: number | null;
  /** Global position of the last event appended; null when the command changed nothing. */
  readonly position: number | null;
  readonly events: readonly { readonly id: string; readonly type: string }[];
  /** True when an Idempotency-Key matched an earlier request and its answer was given again. */
  readonly replayed: boolean;
}

export interface CommandHandler {
  /** Validates, authorises, decides and appends; throws CommandRejected when nothing was stored. */
  handle(type: string, input: unknown, context: CommandContext): Promise<CommandResult>;
  /** For the platform's own follow-ups (prerequisites, reactions, seeding): no role check. */
  handleTrusted(type: string, input: unknown, context: CommandContext): Promise<CommandResult>;
  readonly routes: ReadonlyMap<string, CommandRoute>;
}

export interface CommandHandlerOptions {
  readonly store: EventStore;
  readonly routes: readonly CommandRoute[];
  readonly clock?: () => Date;
  /** How often a command marked safe to retry is decided again after a concurrent write. */
  readonly maxAttempts?: number;
  /** Checks the URLs a command names for the platform to call (see RouteSpec.outboundUrls). */
  readonly outbound?: { check(url: string): Promise<unknown> };
}

interface TenantScoped {
  readonly tenantId: string;
}

const isTenantScoped = (data: unknown): data is TenantScoped =>
  typeof data === 'object' && data !== null && typeof (data as { tenantId?: unknown }).tenantId === 'string';

const callIdOf = (data: unknown): string | undefined => {
  const callId = (data as { callId?: unknown }).callId;
  return typeof callId === 'string' ? callId : undefined;
};

const decodeAll = (recorded: readonly RecordedEvent[]): EventEnvelope[] =>
  recorded.map((event) => {
    const decoded = decodeEvent(event);
    if (!decoded.ok) {
      throw new Error(
        `stored event ${event.id} in ${event.streamId} is unreadable: ${decoded.error.message}`,
      );
    }
    return decoded.value;
  });

export const createCommandHandler = (options: CommandHandlerOptions): CommandHandler => {
  const { store } = options;
  const clock = options.clock ?? (() => new Date());
  const maxAttempts = options.maxAttempts ?? 5;
  const routes = new Map(options.routes.map((r) => [r.definition.type, r]));
  const states = createStateCache(store);

  /**
   * Tenant scope, role and API key scope are checked before the payload is validated (by the one authorization
   * check of every route): a caller learns nothing about another tenant's commands, not even whether a payload
   * would be valid.
   */
  const authorizeCommand = (route: CommandRoute, input: unknown, context: CommandContext): Promise<void> =>
    authorize({ actor: context.actor, scopes: context.scopes ?? 'all' }, commandAccess(route), {
      tenantId: tenantIdIn(input),
    });

  /** Commands inside a tenant need the tenant to exist and be open; calls also need it not suspended. */
  const checkTenant = async (route: CommandRoute, data: TenantScoped): Promise<void> => {
    if (route.definition.category === 'tenant' || data.tenantId === PLATFORM_TENANT) return;
    const { state: tenant } = await states.load(
      streamName('tenant', data.tenantId, data.tenantId),
      tenantDecider,
    );
    if (tenant.status === 'none') {
      throw new CommandRejected(
        404,
        'TENANT_NOT_FOUND',
        `tenant ${data.tenantId} does not exist`,
        'tenantId',
      );
    }
    if (tenant.status === 'disabled' || tenant.status === 'deletion_requested') {
      throw new CommandRejected(422, 'TENANT_CLOSED', `tenant ${data.tenantId} is closed`, 'tenantId');
    }
    if (tenant.status === 'suspended' && route.definition.category === 'call') {
      throw new CommandRejected(422, 'TENANT_SUSPENDED', `tenant ${data.tenantId} is suspended`, 'tenantId');
    }
  };

  const checkOutboundUrls = async (route: CommandRoute, data: unknown): Promise<void> => {
    if (!route.outboundUrls || !options.outbound) return;
    for (const { field, url } of route.outboundUrls(data)) {
      try {
        await options.outbound.check(url);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CommandRejected(400, 'URL_NOT_ALLOWED', `${field}: ${message}`, field);
      }
    }
  };

  const idempotencyStream = (tenantId: string, key: string) =>
    streamName('idempotency', tenantId, sha256(key));

  const previousAnswer = async (
    tenantId: string,
    key: string,
    requestHash: string,
  ): Promise<CommandResult | undefined> => {
    const [record] = decodeAll(await store.readStream(idempotencyStream(tenantId, key), { maxCount: 1 }));
    if (!record || record.type !== CommandAccepted.type) return undefined;
    const accepted = CommandAccepted.data.parse(record.data);
    if (accepted.requestHash !== requestHash) {
      throw new CommandRejected(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for a different request',
        'Idempotency-Key',
      );
    }
    return { ...accepted.result, replayed: true };
  };

  const envelope = (
    event: DomainEvent,
    id: string,
    data: TenantScoped,
    metadata: CommandMetadata,
    context: CommandContext,
  ): NewEvent => {
    const definition = latestEventDefinition(event.type);
    if (!definition) throw new Error(`decider produced ${event.type}, which has no schema`);
    // Deciders are trusted, but an event that breaks its own schema must never reach the log.
    const valid = parseWith(definition.data, event.data);
    if (!valid.ok) throw new Error(`decider produced an invalid ${event.type}: ${valid.error.message}`);
    const eventMetadata: EventMetadata = {
      version: definition.version,
      tenantId: data.tenantId,
      occurredAt: metadata.now.toISOString(),
      causationId: context.causationId ?? metadata.commandId,
      correlationId: metadata.correlationId,
      actor: metadata.actor,
    };
    return { id, type: event.type, data: valid.value, metadata: eventMetadata };
  };

  const run = async (
    type: string,
    input: unknown,
    context: CommandContext,
    trusted: boolean,
  ): Promise<CommandResult> => {
    const route = routes.get(type);
    if (!route) throw new CommandRejected(404, 'UNKNOWN_COMMAND', `there is no command ${type}`);
    if (!trusted) await authorizeCommand(route, input, context);
    const parsed = parseWith(route.definition.data, input);
    if (!parsed.ok)
      throw new CommandRejected(400, parsed.error.code, parsed.error.message, parsed.error.field);
    const data = parsed.value;
    if (!isTenantScoped(data)) throw new Error(`command ${type} has no tenantId`);
    await checkOutboundUrls(route, data);

    // Hashed only for a request that can be repeated: canonical JSON of a 1,000-lead chunk costs milliseconds.
    const requestHash =
      context.idempotencyKey === undefined ? undefined : sha256(canonicalJson({ type, data }));
    if (context.idempotencyKey !== undefined && requestHash !== undefined) {
      const answered = await previousAnswer(data.tenantId, context.idempotencyKey, requestHash);
      if (answered) return answered;
    }
    await checkTenant(route, data);

    const commandId = context.idempotencyKey
      ? deterministicUuid(`${data.tenantId}/${context.idempotencyKey}/command`)
      : randomUUID();
    const metadata: CommandMetadata = {
      now: clock(),
      actor: context.actor,
      commandId,
      correlationId: callIdOf(data) ?? context.correlationId ?? commandId,
    };
    const target = route.stream(data);
    const streamId = streamName(target.category, target.tenantId, target.id);
    let prerequisitesDone = false;
    /** Prerequisites this command itself stored events for, in order: undone if the command fails. */
    const taken: { route: CommandRoute; data: unknown }[] = [];
    const compensate = async () => {
      for (const step of taken.reverse()) {
        const undo = step.route.compensation?.(step.data);
        if (!undo) continue;
        // Best effort: a failed undo must not hide why the command failed.
        await run(
          undo.definition.type,
          undo.data,
          { actor: context.actor, causationId: commandId },
          true,
        ).catch(() => undefined);
      }
    };

    for (let attempt = 1; ; attempt += 1) {
      const { state, revision } = await states.load(streamId, route.decider);
      const expected = revision ?? 'no_stream';
      let decided: DomainEvent[];
      try {
        decided = route.decider.decide({ type, data, metadata }, state);
      } catch (error) {
        await compensate();
        if (error instanceof DomainError) {
          throw new CommandRejected(statusOfDomainCode(error.code), error.code, error.message, error.field);
        }
        throw error;
      }
      if (decided.length === 0) {
        // Decided again after a conflict, another writer had already done it: keep nothing taken for it.
        await compensate();
        return {
          commandId,
          streamId,
          nextRevision: expected === 'no_stream' ? null : expected,
          position: null,
          events: [],
          replayed: false,
        };
      }
      if (!prerequisitesDone) {
        for (const prerequisite of route.prerequisites?.(data, { state, events: decided }) ?? []) {
          try {
            const done = await run(
              prerequisite.definition.type,
              prerequisite.data,
              { actor: context.actor, correlationId: metadata.correlationId, causationId: commandId },
              true,
            );
            const prerequisiteRoute = routes.get(prerequisite.definition.type);
            if (done.events.length > 0 && prerequisiteRoute) {
              taken.push({ route: prerequisiteRoute, data: prerequisite.data });
            }
          } catch (error) {
            await compensate();
            throw error;
          }
        }
        prerequisitesDone = true;
      }
      const events = decided.map((event, index) =>
        envelope(
          event,
          context.idempotencyKey
            ? deterministicUuid(`${data.tenantId}/${context.idempotencyKey}/${attempt}/${index}`)
            : randomUUID(),
          data,
          metadata,
          context,
        ),
      );
      let appended: AppendResult;
      try {
        appended = await store.append(streamId, events, expected);
      } catch (error) {
        const retry =
          error instanceof WrongExpectedRevisionError && route.retryOnConflict && attempt < maxAttempts;
        if (retry) continue;
        await compensate();
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        throw new CommandRejected(
          409,
          'CONCURRENCY_CONFLICT',
          `${streamId} changed while ${type} was being decided; read it again and retry`,
        );
      }
      // A retried append answered from events stored earlier is not at the revision we decided on.
      if (appended.nextRevision === (revision ?? -1) + decided.length) {
        states.appended(streamId, route.decider, state, decided, appended.nextRevision);
      } else {
        states.forget(streamId);
      }
      const result: CommandResult = {
        commandId,
        streamId,
        nextRevision: appended.nextRevision,
        position: appended.position,
        events: events.map((e) => ({ id: e.id, type: e.type })),
        replayed: false,
      };
      if (context.idempotencyKey !== undefined && requestHash !== undefined) {
        await recordAnswer(data.tenantId, context.idempotencyKey, type, requestHash, result, metadata);
      }
      return result;
    }
  };

  const recordAnswer = async (
    tenantId: string,
    key: string,
    commandType: string,
    requestHash: string,
    result: CommandResult,
    metadata: CommandMetadata,
  ): Promise<void> => {
    const { replayed: _replayed, ...answer } = result;
    const event: NewEvent = {
      id: deterministicUuid(`${tenantId}/${key}/answer`),
      type: CommandAccepted.type,
      data: { commandType, requestHash, result: answer },
      metadata: {
        version: CommandAccepted.version,
        tenantId,
        occurredAt: metadata.now.toISOString(),
        causationId: metadata.commandId,
        correlationId: metadata.correlationId,
        actor: metadata.actor,
      } satisfies EventMetadata,
    };
    await store.append(idempotencyStream(tenantId, key), [event], 'any');
  };

  return {
    handle: (type, input, context) => run(type, input, context, false),
    handleTrusted: (type, input, context) => run(type, input, context, true),
    routes,
  };
};
