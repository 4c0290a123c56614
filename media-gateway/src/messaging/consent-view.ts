import type { ConsentChannel, EventEnvelope, MessageChannel } from '@ccp/schemas';

const contactOfStream = (streamId: string): string | undefined => {
  const match = /^contact-([^.]+)\.(.+)$/.exec(streamId);
  return match?.[1] !== undefined && match[2] !== undefined ? `${match[1]}/${match[2]}` : undefined;
};

/**
 * The channels each contact withdrew consent for, folded from the contacts' streams in log order. Only a
 * withdrawal counts: a contact who never said either way is still sent what the business sends (a booking's
 * confirmation); a later grant lifts it.
 */
export class WithdrawnConsent {
  private readonly byContact = new Map<string, Set<ConsentChannel>>();

  /** Applies one event of any stream; those of other categories are ignored. */
  apply(event: EventEnvelope): void {
    const key = contactOfStream(event.streamId);
    if (key === undefined) return;
    switch (event.type) {
      case 'ContactCreated':
        // A contact id is not reused; a fresh contact has withdrawn nothing.
        this.byContact.delete(key);
        return;
      case 'ConsentRecorded': {
        const { channel, granted } = event.data as { channel: ConsentChannel; granted: boolean };
        const withdrawn = this.byContact.get(key) ?? new Set();
        if (granted) withdrawn.delete(channel);
        else withdrawn.add(channel);
        if (withdrawn.size > 0) this.byContact.set(key, withdrawn);
        else this.byContact.delete(key);
        return;
      }
      default:
        return;
    }
  }

  withdrawn(tenantId: string, contactId: string, channel: MessageChannel): boolean {
    return this.byContact.get(`${tenantId}/${contactId}`)?.has(channel) === true;
  }
}
