import {
  decodeEvent,
  HoldTarget,
  parseStreamName,
  RetentionPolicySet,
  SYSTEM_ACTOR,
  streamName,
  type RetentionCutoffs,
} from '@ccp/schemas';
import type { CommandHandler, EventStore } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';

const DAY_MS = 86_400_000;

export interface RetentionScheduler {
  /** Asks now for each tenant's retention erasure of the day; returns the erasure streams asked for. */
  runNow(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The instants before which the policy keeps nothing; none when it keeps everything. */
export const cutoffsOf = (
  policy: { recordingsDays?: number | null; transcriptsDays?: number | null; messagesDays?: number | null },
  now: Date,
): RetentionCutoffs | undefined => {
  const before = (days: number | null | undefined) =>
    days === null || days === undefined ? undefined : new Date(now.getTime() - days * DAY_MS).toISOString();
  const cutoffs = {
    recordingsBefore: before(policy.recordingsDays),
    transcriptsBefore: before(policy.transcriptsDays),
    messagesBefore: before(policy.messagesDays),
  };
  const set = Object.fromEntries(Object.entries(cutoffs).filter(([, value]) => value !== undefined));
  return Object.keys(set).length === 0 ? undefined : set;
};

/**
 * Applies every tenant's retention policy once a day (and at start): asks for a retention erasure named for
 * the day (`retention-2026-12-07`), which the erasure worker plans, shreds and certifies. The same day asked
 * again changes nothing, so a restart, or two processes, never erase twice.
 */
export const startRetentionScheduler = (options: {
  readonly store: EventStore;
  readonly readStore: () => ReadStore;
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  readonly now: () => Date;
  readonly everyMs: number;
  readonly log: (message: string) => void;
}): RetentionScheduler => {
  const { store, handler } = options;
  let running: Promise<string[]> | undefined;
  let stopped = false;

  const tenantsWithPolicies = async (): Promise<string[]> =>
    (
      await options
        .readStore()
        .query<{ tenant_id: string }>(
          `SELECT DISTINCT tenant_id FROM events WHERE type = 'RetentionPolicySet' ORDER BY tenant_id`,
        )
    ).map((row) => row.tenant_id);

  const policyOf = async (tenantId: string) => {
    const events = await store.readStream(streamName('retention', tenantId, 'policy'));
    const last = events.findLast((event) => event.type === 'RetentionPolicySet');
    return last === undefined ? undefined : RetentionPolicySet.data.parse(last.data).policy;
  };

  const run = async (): Promise<string[]> => {
    const now = options.now();
    const erasureId = `retention-${now.toISOString().slice(0, 10)}`;
    const asked: string[] = [];
    for (const tenantId of await tenantsWithPolicies()) {
      const policy = await policyOf(tenantId);
      const cutoffs = policy && cutoffsOf(policy, now);
      if (cutoffs === undefined) continue;
      await handler.handleTrusted(
        'ApplyRetention',
        { tenantId, erasureId, cutoffs },
        { actor: SYSTEM_ACTOR, correlationId: erasureId },
      );
      asked.push(streamName('erasure', tenantId, erasureId));
    }
    return asked;
  };

  const runNow = (): Promise<string[]> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  const tick = () => {
    if (stopped) return;
    runNow().catch((error: unknown) =>
      options.log(
        `retention: the daily run failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  };
  const first = setTimeout(tick, 1000);
  const timer = setInterval(tick, options.everyMs);
  first.unref();
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
};

export interface RetentionView {
  readonly policy: {
    recordingsDays: number | null;
    transcriptsDays: number | null;
    messagesDays: number | null;
  };
  readonly holds: readonly {
    readonly holdId: string;
    readonly target: HoldTarget | null;
    readonly reason: string | null;
    readonly placedAt: string;
    readonly placedBy: string;
  }[];
}

/** A tenant's policy (days; null keeps) and its legal holds in force, oldest first, as the log holds them. */
export const retentionOf = async (
  store: EventStore,
  readStore: ReadStore,
  tenantId: string,
): Promise<RetentionView> => {
  const policyEvents = await store.readStream(streamName('retention', tenantId, 'policy'));
  const last = policyEvents.findLast((event) => event.type === 'RetentionPolicySet');
  const policy = last === undefined ? undefined : RetentionPolicySet.data.parse(last.data).policy;
  const rows = await readStore.query<{ stream_id: string }>(
    `SELECT DISTINCT stream_id FROM events WHERE tenant_id = {tenantId:String} AND type = 'LegalHoldPlaced'`,
    { tenantId },
  );
  const holds = [];
  for (const { stream_id: streamId } of rows) {
    if (parseStreamName(streamId)?.tenantId !== tenantId) continue;
    const events = (await store.readStream(streamId)).flatMap((recorded) => {
      const decoded = decodeEvent(recorded);
      return decoded.ok ? [decoded.value] : [];
    });
    const placed = events.find((event) => event.type === 'LegalHoldPlaced');
    if (placed === undefined || events.some((event) => event.type === 'LegalHoldReleased')) continue;
    const data = placed.data as { target?: unknown; reason?: unknown };
    const target = HoldTarget.safeParse(data.target);
    holds.push({
      holdId: parseStreamName(streamId)?.id ?? streamId,
      target: target.success ? target.data : null,
      reason: typeof data.reason === 'string' ? data.reason : null,
      placedAt: placed.occurredAt,
      placedBy: placed.actor.id,
    });
  }
  return {
    policy: {
      recordingsDays: policy?.recordingsDays ?? null,
      transcriptsDays: policy?.transcriptsDays ?? null,
      messagesDays: policy?.messagesDays ?? null,
    },
    holds: holds.sort((a, b) => a.placedAt.localeCompare(b.placedAt)),
  };
};
