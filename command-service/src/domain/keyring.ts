import type { CommandOf, KeyringEvent, keyringCommands } from '@ccp/schemas';
import type { Decider } from './decider.js';

export type KeyringCommand = CommandOf<(typeof keyringCommands)[number]>;

/** A tenant's keyring: the member who answers for each API key, and what becomes of a removed member's keys. */
export interface KeyringState {
  readonly whenIssuerRemoved: 'revoke' | 'suspend';
  /** Key id → the member who answers for it (keys retired or answered for by nobody are not here). */
  readonly accountable: Readonly<Record<string, string>>;
}

export const keyringDecider: Decider<KeyringCommand, KeyringEvent, KeyringState> = {
  initialState: () => ({ whenIssuerRemoved: 'revoke', accountable: {} }),
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterApiKey': {
        const { keyId, accountable } = command.data;
        return state.accountable[keyId] === accountable
          ? []
          : [{ type: 'ApiKeyRegistered', data: { keyId, accountable } }];
      }
      case 'RetireApiKeysOf': {
        const { userId } = command.data;
        const keyIds = Object.keys(state.accountable)
          .filter((keyId) => state.accountable[keyId] === userId)
          .sort();
        // Retired keys leave the ring, so a repeated removal (reactions run at least once) finds none.
        return keyIds.length === 0
          ? []
          : [{ type: 'MemberApiKeysRetired', data: { userId, keyIds, action: state.whenIssuerRemoved } }];
      }
      case 'SetApiKeyPolicy': {
        const { whenIssuerRemoved } = command.data;
        return state.whenIssuerRemoved === whenIssuerRemoved
          ? []
          : [{ type: 'ApiKeyPolicyChanged', data: { whenIssuerRemoved } }];
      }
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ApiKeyRegistered':
        return {
          ...state,
          accountable: { ...state.accountable, [event.data.keyId]: event.data.accountable },
        };
      case 'MemberApiKeysRetired': {
        const accountable = { ...state.accountable };
        for (const keyId of event.data.keyIds) delete accountable[keyId];
        return { ...state, accountable };
      }
      case 'ApiKeyPolicyChanged':
        return { ...state, whenIssuerRemoved: event.data.whenIssuerRemoved };
    }
  },
};
