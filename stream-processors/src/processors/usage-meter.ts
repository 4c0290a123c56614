import { billingPeriodOf, type MeterItem } from '@ccp/schemas';
import type { ProcessorContext } from '../processor.js';

/**
 * The usage processor's metering: the billable units of a batch (a call's seconds as its tier rounds them, a
 * reply's tokens) go to the tenant's monthly meter as RecordUsage commands. Each item is identified by the
 * position of the event that caused it, and the meter skips an identifier it already holds, so a redelivered
 * batch, a batch cut differently or a replay records nothing twice whatever key it is sent with. The key is still
 * derived from the items, so the very same send is answered by the command service's idempotency store without
 * reaching the meter at all.
 */

/** RecordUsage takes at most this many items. */
export const METER_ITEMS_PER_COMMAND = 1000;

/** One billable unit of a batch, with the event that caused it (for correlation). */
export interface Metered {
  readonly tenantId: string;
  readonly item: MeterItem;
  readonly correlationId: string;
  readonly causationId: string;
}

export interface MeterCommand {
  readonly data: { readonly tenantId: string; readonly period: string; readonly items: MeterItem[] };
  readonly idempotencyKey: string;
  readonly correlationId: string;
  readonly causationId: string;
}

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/**
 * The RecordUsage commands for a batch's billable units: per tenant and UTC month of the usage, in the order
 * given (the log's), at most METER_ITEMS_PER_COMMAND items each. The same units give the same commands.
 */
export const meterCommands = (metered: readonly Metered[]): MeterCommand[] => {
  const groups = new Map<string, { tenantId: string; period: string; units: Metered[] }>();
  for (const unit of metered) {
    const period = billingPeriodOf(new Date(unit.item.occurredAt));
    const groupKey = `${unit.tenantId}\u0000${period}`;
    const group = groups.get(groupKey) ?? { tenantId: unit.tenantId, period, units: [] };
    group.units.push(unit);
    groups.set(groupKey, group);
  }
  return [...groups.values()].flatMap(({ tenantId, period, units }) =>
    chunks(units, METER_ITEMS_PER_COMMAND).map((chunk) => {
      const first = chunk[0];
      const last = chunk.at(-1);
      if (first === undefined || last === undefined) throw new Error('an empty meter chunk');
      return {
        data: { tenantId, period, items: chunk.map((unit) => unit.item) },
        idempotencyKey: `meter:${tenantId}:${period}:${first.item.identifier}:${last.item.identifier}:${chunk.length}`,
        // A command meters the units of many calls: it belongs to the month's meter, not to the first call's
        // trail (the call's audit shows the call); its cause is the first unit's event.
        correlationId: `meter:${tenantId}:${period}`,
        causationId: first.causationId,
      };
    }),
  );
};

/** Sends a batch's RecordUsage commands, one after the other; a failure fails the batch, which is sent again. */
export const sendMeterCommands = async (
  context: ProcessorContext,
  metered: readonly Metered[],
): Promise<void> => {
  for (const command of meterCommands(metered)) {
    await context.send('RecordUsage', command.data, {
      idempotencyKey: command.idempotencyKey,
      correlationId: command.correlationId,
      causationId: command.causationId,
    });
  }
};
