import { z } from 'zod';
import { PLATFORM_TENANT } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import { isoOf } from '../calls/calls.js';

export const Announcement = z.object({
  announcementId: z.string(),
  scope: z.enum(['platform', 'tenant']),
  title: z.string(),
  body: z.string(),
  severity: z.string(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  publishedAt: z.string(),
});
export const Announcements = z.object({ announcements: z.array(Announcement) });

/** Announcements in force now for a tenant's members: the tenant's own and the platform's, newest first. */
export const activeAnnouncements = async (
  store: ReadStore,
  tenantId: string,
  now: Date,
): Promise<z.infer<typeof Announcements>> => {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, stream_id,
            argMaxIf(data, position, type = 'AnnouncementPublished') AS content,
            toString(maxIf(occurred_at, type = 'AnnouncementPublished')) AS published_text,
            countIf(type = 'AnnouncementWithdrawn') AS withdrawn
       FROM events FINAL
      WHERE tenant_id IN ({tenantId:String}, {platform:String}) AND stream_id LIKE 'announcement-%'
      GROUP BY tenant_id, stream_id HAVING withdrawn = 0 AND countIf(type = 'AnnouncementPublished') > 0
      ORDER BY published_text DESC`,
    { tenantId, platform: PLATFORM_TENANT },
  );
  const at = now.getTime();
  return {
    announcements: rows
      .map((r) => {
        const content = JSON.parse(String(r['content'])) as {
          title: string;
          body: string;
          severity: string;
          startsAt?: string;
          endsAt?: string;
        };
        const streamId = String(r['stream_id']);
        return {
          announcementId: streamId.slice(streamId.indexOf('.') + 1),
          scope: String(r['tenant_id']) === PLATFORM_TENANT ? ('platform' as const) : ('tenant' as const),
          title: content.title,
          body: content.body,
          severity: content.severity,
          startsAt: content.startsAt ?? null,
          endsAt: content.endsAt ?? null,
          publishedAt: isoOf(r['published_text']) ?? '',
        };
      })
      .filter(
        (a) =>
          (a.startsAt === null || Date.parse(a.startsAt) <= at) &&
          (a.endsAt === null || Date.parse(a.endsAt) > at),
      ),
  };
};
