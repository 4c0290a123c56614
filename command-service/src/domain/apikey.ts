import type { ApiKeyEvent, CommandOf, keyCommands } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type { ApiKeyEvent } from '@ccp/schemas';
export type ApiKeyCommand = CommandOf<(typeof keyCommands)[number]>;
/** `suspended`: the key authenticates as nothing until it is re-enabled; `revoked` is for good. */
export type ApiKeyState = {
  readonly status: 'none' | 'active' | 'suspended' | 'revoked';
  readonly keyHash?: string;
};

const existing = (state: ApiKeyState): void => {
  if (state.status === 'none') throw new DomainError('API_KEY_NOT_FOUND', 'no such API key', 'keyId');
};

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'IssueApiKey': {
        const { name, role, scopes, keyHash, issuedBy } = command.data;
        if (state.status === 'active' && state.keyHash === keyHash) return [];
        if (state.status !== 'none') throw new DomainError('API_KEY_EXISTS', 'this key id is taken', 'keyId');
        return [{ type: 'ApiKeyIssued', data: { name, role, scopes, keyHash, issuedBy } }];
      }
      case 'RevokeApiKey':
        existing(state);
        return state.status === 'revoked' ? [] : [{ type: 'ApiKeyRevoked', data: {} }];
      case 'RotateApiKey':
        existing(state);
        if (state.status === 'revoked')
          throw new DomainError('API_KEY_REVOKED', 'a revoked key stays revoked', 'keyId');
        // A new secret would start working at once: a suspended key is re-enabled first, on purpose.
        if (state.status === 'suspended')
          throw new DomainError('API_KEY_SUSPENDED', 'the key is suspended: re-enable it first', 'keyId');
        if (state.keyHash === command.data.keyHash) return [];
        return [{ type: 'ApiKeyRotated', data: { keyHash: command.data.keyHash } }];
      case 'SuspendApiKey':
        existing(state);
        // A revoked key stays revoked; suspending it again changes nothing.
        return state.status === 'active' ? [{ type: 'ApiKeySuspended', data: {} }] : [];
      case 'ReinstateApiKey':
        existing(state);
        if (state.status === 'revoked')
          throw new DomainError('API_KEY_REVOKED', 'a revoked key stays revoked', 'keyId');
        return state.status === 'suspended'
          ? [{ type: 'ApiKeyReinstated', data: { by: command.data.by } }]
          : [];
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ApiKeyIssued':
        return { status: 'active', keyHash: event.data.keyHash };
      case 'ApiKeyRevoked':
        return { ...state, status: 'revoked' };
      case 'ApiKeyRotated':
        return { ...state, keyHash: event.data.keyHash };
      case 'ApiKeySuspended':
        return { ...state, status: 'suspended' };
      case 'ApiKeyReinstated':
        return { ...state, status: 'active' };
    }
  },
};
