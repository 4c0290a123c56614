import type { CommandOf, EventOf, announcementCommands, announcementEvents } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type AnnouncementCommand = CommandOf<(typeof announcementCommands)[number]>;
export type AnnouncementEvent = EventOf<(typeof announcementEvents)[number]>;
type Content = Extract<AnnouncementEvent, { type: 'AnnouncementPublished' }>['data'];

export type AnnouncementState =
  { readonly status: 'none' } | { readonly status: 'published' | 'withdrawn'; readonly content: Content };

const contentOf = (data: Content): Content => ({
  title: data.title,
  body: data.body,
  severity: data.severity,
  ...(data.startsAt !== undefined && { startsAt: data.startsAt }),
  ...(data.endsAt !== undefined && { endsAt: data.endsAt }),
});

const same = (a: Content, b: Content): boolean =>
  JSON.stringify(contentOf(a)) === JSON.stringify(contentOf(b));

export const decide = (command: AnnouncementCommand, state: AnnouncementState): AnnouncementEvent[] => {
  switch (command.type) {
    case 'PublishAnnouncement': {
      const content = contentOf(command.data);
      if (state.status === 'none') return [{ type: 'AnnouncementPublished', data: content }];
      // Sent again as it was (a retry): nothing new. Anything else is another announcement under a used id.
      if (same(state.content, content)) return [];
      throw new DomainError('ANNOUNCEMENT_EXISTS', 'an announcement with this id exists', 'announcementId');
    }
    case 'WithdrawAnnouncement':
      if (state.status === 'none') {
        throw new DomainError('ANNOUNCEMENT_NOT_FOUND', 'no announcement with this id', 'announcementId');
      }
      return state.status === 'withdrawn' ? [] : [{ type: 'AnnouncementWithdrawn', data: {} }];
  }
};

export const evolve = (state: AnnouncementState, event: AnnouncementEvent): AnnouncementState => {
  switch (event.type) {
    case 'AnnouncementPublished':
      return { status: 'published', content: event.data };
    case 'AnnouncementWithdrawn':
      return state.status === 'none' ? state : { ...state, status: 'withdrawn' };
  }
};

export const announcementDecider: Decider<AnnouncementCommand, AnnouncementEvent, AnnouncementState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
