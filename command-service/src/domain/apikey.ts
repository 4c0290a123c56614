import type { apiKeyCommands, apiKeyEvents, CommandOf, EventOf } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type ApiKeyCommand = CommandOf<(typeof apiKeyCommands)[number]>;
export type ApiKeyEvent = EventOf<(typeof apiKeyEvents)[number]>;
export type ApiKeyState = { readonly status: 'none' | 'active' | 'revoked'; readonly keyHash?: string };

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'IssueApiKey': {
        const { name, role, scopes, keyHash } = command.data;
        if (state.status === 'active' && state.keyHash === keyHash) return [];
        if (state.status !== 'none') throw new DomainError('API_KEY_EXISTS', 'this key id is taken', 'keyId');
        return [{ type: 'ApiKeyIssued', data: { name, role, scopes, keyHash } }];
      }
      case 'RevokeApiKey':
        if (state.status === 'none') throw new DomainError('API_KEY_NOT_FOUND', 'no such API key', 'keyId');
        return state.status === 'revoked' ? [] : [{ type: 'ApiKeyRevoked', data: {} }];
      case 'RotateApiKey':
        if (state.status === 'none') throw new DomainError('API_KEY_NOT_FOUND', 'no such API key', 'keyId');
        if (state.status === 'revoked')
          throw new DomainError('API_KEY_REVOKED', 'a revoked key stays revoked', 'keyId');
        if (state.keyHash === command.data.keyHash) return [];
        return [{ type: 'ApiKeyRotated', data: { keyHash: command.data.keyHash } }];
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
    }
  },
};
