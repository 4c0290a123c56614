import type {
  CommandOf,
  EventOf,
  NumberKind,
  NumberProvider,
  NumberTarget,
  numberCommands,
  numberEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type NumberCommand = CommandOf<(typeof numberCommands)[number]>;
export type NumberEvent = EventOf<(typeof numberEvents)[number]>;

/** A number's state on its platform-wide stream: free (never provisioned or released) or held by one tenant. */
export type NumberState =
  | { readonly status: 'free' }
  | {
      readonly status: 'owned';
      readonly ownerTenantId: string;
      readonly kind: NumberKind;
      readonly provider: NumberProvider;
      readonly label?: string;
      readonly target: NumberTarget | null;
    };

type OwnedNumber = Extract<NumberState, { status: 'owned' }>;

const sameTarget = (a: NumberTarget | null, b: NumberTarget): boolean => a?.kind === b.kind && a.id === b.id;

/** Another tenant's number answers as if it did not exist, so that no tenant learns of another's numbers. */
const ownedBy = (state: NumberState, tenantId: string): OwnedNumber => {
  if (state.status === 'free' || state.ownerTenantId !== tenantId) {
    throw new DomainError('NUMBER_NOT_FOUND', 'the tenant has no such number', 'address');
  }
  return state;
};

export const decide = (command: NumberCommand, state: NumberState): NumberEvent[] => {
  switch (command.type) {
    case 'VerifyCallerId':
      ownedBy(state, command.data.tenantId);
      return [];
    case 'ProvisionNumber': {
      const { tenantId, kind, provider, label } = command.data;
      if (state.status === 'owned') {
        if (state.ownerTenantId !== tenantId) {
          throw new DomainError('NUMBER_TAKEN', 'this number is not available', 'address');
        }
        if (state.kind === kind && state.provider === provider && state.label === label) return [];
        throw new DomainError('NUMBER_EXISTS', 'the tenant already has this number', 'address');
      }
      return [
        {
          type: 'NumberProvisioned',
          data: { ownerTenantId: tenantId, kind, provider, ...(label === undefined ? {} : { label }) },
        },
      ];
    }
    case 'AssignNumber': {
      const number = ownedBy(state, command.data.tenantId);
      const { target } = command.data;
      if (sameTarget(number.target, target)) return [];
      return [
        {
          type: 'NumberAssigned',
          data: { target, ...(number.target === null ? {} : { previousTarget: number.target }) },
        },
      ];
    }
    case 'UnassignNumber': {
      const number = ownedBy(state, command.data.tenantId);
      if (number.target === null) return [];
      return [{ type: 'NumberUnassigned', data: { previousTarget: number.target } }];
    }
    case 'ReleaseNumber': {
      const number = ownedBy(state, command.data.tenantId);
      return [
        ...(number.target === null
          ? []
          : [{ type: 'NumberUnassigned' as const, data: { previousTarget: number.target } }]),
        { type: 'NumberReleased', data: {} },
      ];
    }
  }
};

export const evolve = (state: NumberState, event: NumberEvent): NumberState => {
  if (event.type === 'NumberProvisioned') return { status: 'owned', ...event.data, target: null };
  if (state.status === 'free') return state;
  switch (event.type) {
    case 'NumberAssigned':
      return { ...state, target: event.data.target };
    case 'NumberUnassigned':
      return { ...state, target: null };
    case 'NumberReleased':
      return { status: 'free' };
  }
};

export const numberDecider: Decider<NumberCommand, NumberEvent, NumberState> = {
  initialState: () => ({ status: 'free' }),
  decide,
  evolve,
};
