import { createHmac, timingSafeEqual } from 'node:crypto';
import ical, { ICalEventStatus } from 'ical-generator';
import type { ReadStore } from '@ccp/projections';
import { isoFromClickHouse } from './paging.js';

/**
 * The secret iCalendar (RFC 5545) feeds: one for the whole tenant (scope `all`) and one per resource. A feed's
 * URL carries a token, HMAC-SHA256 of `<tenant>/<scope>/<rotation>` under the tenant's feed secret, where the
 * rotation is how many times that feed was rotated (CalendarFeedRotated): rotating changes the token, so the
 * old URL stops working at once and nothing about a token is stored.
 */

export const ALL_RESOURCES = 'all';

/** How far back a feed shows appointments. */
const FEED_PAST_MS = 30 * 24 * 3_600_000;
/** At most this many appointments in one feed. */
const FEED_LIMIT = 5000;

export const feedToken = (secret: Buffer, tenantId: string, scope: string, rotation: number): string =>
  createHmac('sha256', secret).update(`${tenantId}/${scope}/${rotation}`).digest('base64url');

export const feedPath = (tenantId: string, scope: string, token: string): string =>
  `/ical/${encodeURIComponent(tenantId)}/${encodeURIComponent(scope)}/${token}.ics`;

/** How many times each feed of the tenant was rotated (feeds never rotated are absent: 0). */
const rotations = async (store: ReadStore, tenantId: string): Promise<Map<string, number>> => {
  const rows = await store.query<{ scope: string; rotation: number | string }>(
    'SELECT scope, rotation FROM calendar_feeds FINAL WHERE tenant_id = {tenantId:String}',
    { tenantId },
  );
  return new Map(rows.map((r) => [r.scope, Number(r.rotation)]));
};

/** The feed URLs of the tenant and of each of its resources not removed. */
export const feedUrls = async (
  store: ReadStore,
  tenantId: string,
  secret: Buffer,
  origin: string,
): Promise<{ tenant: string; resources: Record<string, string> }> => {
  const rotated = await rotations(store, tenantId);
  const url = (scope: string) =>
    `${origin}${feedPath(tenantId, scope, feedToken(secret, tenantId, scope, rotated.get(scope) ?? 0))}`;
  const resources = await store.query<{ resource_id: string }>(
    `SELECT resource_id FROM resources FINAL WHERE tenant_id = {tenantId:String} AND removed = 0
      ORDER BY resource_id`,
    { tenantId },
  );
  return {
    tenant: url(ALL_RESOURCES),
    resources: Object.fromEntries(resources.map((r) => [r.resource_id, url(r.resource_id)])),
  };
};

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The feed's text when `token` is the current one for the tenant and scope (a resource of the tenant, or all);
 * undefined otherwise, and the caller says no more than that.
 */
export const calendarFeed = async (
  store: ReadStore,
  request: { readonly tenantId: string; readonly scope: string; readonly token: string },
  secret: Buffer,
  now: Date,
): Promise<string | undefined> => {
  const { tenantId, scope } = request;
  const rotation = (await rotations(store, tenantId)).get(scope) ?? 0;
  if (!sameToken(request.token, feedToken(secret, tenantId, scope, rotation))) return undefined;
  const params = { tenantId, scope, since: new Date(now.getTime() - FEED_PAST_MS) };
  let name = 'Appointments';
  if (scope !== ALL_RESOURCES) {
    const [resource] = await store.query<{ name: string }>(
      `SELECT name FROM resources FINAL
        WHERE tenant_id = {tenantId:String} AND resource_id = {scope:String} AND removed = 0`,
      params,
    );
    // A removed staff member's feed ends with them.
    if (resource === undefined) return undefined;
    name = `Appointments — ${resource.name}`;
  }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT appointment_id, status, service, customer_name, toString(starts_at) AS starts_text,
            toString(ends_at) AS ends_text, toString(updated_at) AS updated_text
       FROM appointments FINAL
      WHERE tenant_id = {tenantId:String} AND status != 'cancelled'
        AND ends_at >= {since:DateTime64(3, 'UTC')}
        ${scope === ALL_RESOURCES ? '' : 'AND resource_id = {scope:String}'}
      ORDER BY starts_at, appointment_id LIMIT ${FEED_LIMIT}`,
    params,
  );
  const calendar = ical({
    name,
    prodId: { company: 'CustomerCare Pro', product: 'appointments', language: 'EN' },
  });
  for (const row of rows) {
    const status = String(row['status']);
    calendar.createEvent({
      id: `${String(row['appointment_id'])}@${tenantId}.ccp`,
      start: new Date(isoFromClickHouse(row['starts_text'])),
      end: new Date(isoFromClickHouse(row['ends_text'])),
      stamp: new Date(isoFromClickHouse(row['updated_text'])),
      summary: `${String(row['service'])} — ${String(row['customer_name'])}`,
      // Confirmed and completed ones took or take place; the others may still not.
      status:
        status === 'confirmed' || status === 'completed'
          ? ICalEventStatus.CONFIRMED
          : ICalEventStatus.TENTATIVE,
    });
  }
  const text = calendar.toString();
  // Every content line ends with CRLF (RFC 5545 3.1), the last one too; ical-generator leaves that one bare.
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
};
