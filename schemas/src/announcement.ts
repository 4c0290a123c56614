import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { EntityId, IsoDateTime, Name, TenantId } from './primitives.js';

const category = 'announcement';

export const AnnouncementSeverity = z.enum(['info', 'warning', 'critical']);

const AnnouncementContent = z.object({
  title: Name,
  body: z.string().trim().min(1).max(2000),
  severity: AnnouncementSeverity,
  /** Shown from this instant; absent, at once. */
  startsAt: IsoDateTime.optional(),
  /** Shown until this instant; absent, until withdrawn. */
  endsAt: IsoDateTime.optional(),
});

const endsAfterStart = (a: { startsAt?: string | undefined; endsAt?: string | undefined }): boolean =>
  a.startsAt === undefined || a.endsAt === undefined || Date.parse(a.endsAt) > Date.parse(a.startsAt);

/**
 * A banner for everyone signed in: tenant 'platform' reaches every tenant (super admins only), a tenant's own
 * reaches its members (its admins may publish those).
 */
export const PublishAnnouncement = defineCommand(
  category,
  'PublishAnnouncement',
  z
    .object({ tenantId: TenantId, announcementId: EntityId, ...AnnouncementContent.shape })
    .refine(endsAfterStart, { message: 'endsAt must be after startsAt', path: ['endsAt'] }),
  "Publish a banner to a tenant's members, or with tenantId 'platform' to everyone.",
);
export const WithdrawAnnouncement = defineCommand(
  category,
  'WithdrawAnnouncement',
  z.object({ tenantId: TenantId, announcementId: EntityId }),
  'Take an announcement down.',
);

export const AnnouncementPublished = defineEvent(category, 'AnnouncementPublished', 1, AnnouncementContent);
export const AnnouncementWithdrawn = defineEvent(category, 'AnnouncementWithdrawn', 1, z.object({}));

export const announcementCommands = [PublishAnnouncement, WithdrawAnnouncement] as const;
export const announcementEvents = [AnnouncementPublished, AnnouncementWithdrawn] as const;
