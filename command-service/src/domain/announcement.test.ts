import { describe, it } from 'vitest';
import { PublishAnnouncement, WithdrawAnnouncement } from '@ccp/schemas';
import { announcementDecider, type AnnouncementEvent } from './announcement.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(announcementDecider);
const key = { tenantId: 'platform', announcementId: 'maintenance-1' };
const content = { title: 'Maintenance', body: 'Sunday 02:00-03:00 UTC', severity: 'warning' as const };
const published: AnnouncementEvent = { type: 'AnnouncementPublished', data: content };
const publish = command(PublishAnnouncement, { ...key, ...content });
const withdraw = command(WithdrawAnnouncement, key);

describe('announcement decider', () => {
  it('publishes an announcement', () => given([]).when(publish).then([published]));

  it('publishing the same again changes nothing', () =>
    given([published]).when(publish).thenNothingHappened());

  it('refuses another announcement under a used id', () =>
    given([published])
      .when(command(PublishAnnouncement, { ...key, ...content, body: 'Something else' }))
      .thenThrows(refusedWith('ANNOUNCEMENT_EXISTS', 'announcementId')));

  it('withdraws it, once', () => {
    given([published])
      .when(withdraw)
      .then([{ type: 'AnnouncementWithdrawn', data: {} }]);
    given([published, { type: 'AnnouncementWithdrawn', data: {} }])
      .when(withdraw)
      .thenNothingHappened();
  });

  it('refuses to withdraw what was never published', () =>
    given([]).when(withdraw).thenThrows(refusedWith('ANNOUNCEMENT_NOT_FOUND', 'announcementId')));
});
