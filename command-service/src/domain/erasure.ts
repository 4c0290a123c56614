import {
  parseStreamName,
  type ApplyRetention,
  type CommandOf,
  type CompleteDataSubjectErasure,
  type DataSubjectErased,
  type DataSubjectErasurePlanned,
  type DataSubjectErasureRequested,
  type EraseDataSubject,
  type EventOf,
  type PlanDataSubjectErasure,
  type RecordSubjectAccess,
  type RetentionErasureRequested,
  type SubjectAccessExported,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type ErasureCommand = CommandOf<
  | typeof EraseDataSubject
  | typeof ApplyRetention
  | typeof PlanDataSubjectErasure
  | typeof CompleteDataSubjectErasure
>;
export type ErasureEvent = EventOf<
  | typeof DataSubjectErasureRequested
  | typeof RetentionErasureRequested
  | typeof DataSubjectErasurePlanned
  | typeof DataSubjectErased
>;

/** An erasure goes requested → planned (the streams it reaches) → erased (its certificate); never back. */
export interface ErasureState {
  readonly status: 'none' | 'requested' | 'planned' | 'erased';
  readonly streams: readonly string[];
}

export const decide = (command: ErasureCommand, state: ErasureState): ErasureEvent[] => {
  switch (command.type) {
    case 'EraseDataSubject':
      // The same erasure asked for again (a retried request, a second click) changes nothing.
      if (state.status !== 'none') return [];
      return [{ type: 'DataSubjectErasureRequested', data: { subject: command.data.subject } }];
    case 'ApplyRetention':
      // A retention erasure is planned from its cutoffs instead of a person, then goes the same way.
      if (state.status !== 'none') return [];
      return [{ type: 'RetentionErasureRequested', data: { cutoffs: command.data.cutoffs } }];
    case 'PlanDataSubjectErasure': {
      if (state.status === 'none')
        throw new DomainError('ERASURE_NOT_FOUND', 'no such erasure was requested');
      if (state.status !== 'requested') return [];
      // A tenant's erasure can only ever reach that tenant's streams, whatever the worker found.
      const foreignOf = (streams: readonly string[]) =>
        streams.find((stream) => parseStreamName(stream)?.tenantId !== command.data.tenantId);
      const foreign = foreignOf(command.data.streams);
      if (foreign !== undefined)
        throw new DomainError(
          'ERASURE_FOREIGN_STREAM',
          `${foreign} is not a stream of this tenant`,
          'streams',
        );
      const leads = command.data.leads ?? [];
      const foreignLead = foreignOf(leads.map((lead) => lead.stream));
      if (
        foreignLead !== undefined ||
        leads.some((lead) => parseStreamName(lead.stream)?.category !== 'campaign')
      )
        throw new DomainError(
          'ERASURE_FOREIGN_STREAM',
          `${foreignLead ?? 'a lead'} is not a campaign of this tenant`,
          'leads',
        );
      const { streams, recordings } = command.data;
      const distinctLeads = [
        ...new Map(leads.map((lead) => [`${lead.stream} ${lead.phone}`, lead])).values(),
      ];
      return [
        {
          type: 'DataSubjectErasurePlanned',
          data: {
            streams: [...new Set(streams)],
            recordings: [...new Set(recordings)],
            ...(distinctLeads.length > 0 ? { leads: distinctLeads } : {}),
          },
        },
      ];
    }
    case 'CompleteDataSubjectErasure': {
      if (state.status === 'none')
        throw new DomainError('ERASURE_NOT_FOUND', 'no such erasure was requested');
      if (state.status === 'erased') return [];
      if (state.status === 'requested')
        throw new DomainError('ERASURE_NOT_PLANNED', 'the erasure has no plan yet: nothing was erased');
      const planned = new Set(state.streams);
      const unplanned = command.data.certificate.streams.find((stream) => !planned.has(stream));
      if (unplanned !== undefined)
        throw new DomainError(
          'ERASURE_CERTIFICATE_MISMATCH',
          `${unplanned} was not in the erasure's plan`,
          'certificate.streams',
        );
      return [{ type: 'DataSubjectErased', data: { certificate: command.data.certificate } }];
    }
  }
};

export const evolve = (state: ErasureState, event: ErasureEvent): ErasureState => {
  switch (event.type) {
    case 'DataSubjectErasureRequested':
    case 'RetentionErasureRequested':
      return { ...state, status: 'requested' };
    case 'DataSubjectErasurePlanned':
      return { status: 'planned', streams: event.data.streams };
    case 'DataSubjectErased':
      return { ...state, status: 'erased' };
  }
};

export const erasureDecider: Decider<ErasureCommand, ErasureEvent, ErasureState> = {
  initialState: () => ({ status: 'none', streams: [] }),
  decide,
  evolve,
};

export type SubjectAccessCommand = CommandOf<typeof RecordSubjectAccess>;
export type SubjectAccessEvent = EventOf<typeof SubjectAccessExported>;

/** One export, recorded once: the same export id again (a retried download) adds nothing to the trail. */
export const subjectAccessDecider: Decider<
  SubjectAccessCommand,
  SubjectAccessEvent,
  { readonly recorded: boolean }
> = {
  initialState: () => ({ recorded: false }),
  decide: (command, state) =>
    state.recorded ? [] : [{ type: 'SubjectAccessExported', data: { subject: command.data.subject } }],
  evolve: () => ({ recorded: true }),
};
