import {
  hintsOf,
  secretsProblem,
  type CommandOf,
  type ConnectionKind,
  type ConnectionSettings,
  type EventOf,
  type connectionCommands,
  type connectionEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from '../decider.js';

export type ConnectionCommand = CommandOf<(typeof connectionCommands)[number]>;
export type ConnectionEvent = EventOf<(typeof connectionEvents)[number]>;

/**
 * A connection as its rules need it. Its secrets are deliberately not here: state may be cached in memory, and a
 * secret's only place is the sealed field of its event.
 */
export type ConnectionState =
  | { readonly status: 'none' | 'removed' }
  | {
      readonly status: 'enabled' | 'disabled';
      readonly kind: ConnectionKind;
      readonly name: string;
      readonly settings: ConnectionSettings;
    };

const NOT_FOUND = () => new DomainError('CONNECTION_NOT_FOUND', 'no connection with this id', 'connectionId');

type Existing = Extract<ConnectionState, { readonly kind: ConnectionKind }>;

const existing = (state: ConnectionState): Existing => {
  if (!('kind' in state)) throw NOT_FOUND();
  return state;
};

const checkSecrets = (settings: ConnectionSettings, secrets: Record<string, string>): void => {
  const problem = secretsProblem(settings, secrets);
  if (problem) throw new DomainError('INVALID_SECRETS', problem.message, problem.field);
};

export const decide = (command: ConnectionCommand, state: ConnectionState): ConnectionEvent[] => {
  switch (command.type) {
    case 'CreateConnection': {
      if (state.status !== 'none')
        throw new DomainError(
          'CONNECTION_EXISTS',
          state.status === 'removed'
            ? 'this connection id was used before: choose another'
            : 'this connection exists',
          'connectionId',
        );
      const { name, settings, secrets } = command.data;
      checkSecrets(settings, secrets);
      return [
        { type: 'ConnectionCreated', data: { name, settings, secrets, secretHints: hintsOf(secrets) } },
      ];
    }
    case 'UpdateConnection': {
      const current = existing(state);
      const { name, settings } = command.data;
      if (settings !== undefined && settings.kind !== current.kind)
        throw new DomainError(
          'CONNECTION_KIND_CHANGED',
          `this is a ${current.kind} connection: create a new one for ${settings.kind}`,
          'settings.kind',
        );
      // A Slack connection's mode decides which secret it needs; a change of mode needs new secrets.
      if (
        settings?.kind === 'slack' &&
        current.settings.kind === 'slack' &&
        settings.mode !== current.settings.mode
      )
        throw new DomainError(
          'INVALID_SECRETS',
          'changing how Slack is reached needs its new secret: rotate the secrets with it',
          'settings.mode',
        );
      if (settings?.kind === 'slack' && settings.mode === 'bot' && settings.channel === undefined)
        throw new DomainError(
          'INVALID_SECRETS',
          'a Slack bot posts to a channel: name it',
          'settings.channel',
        );
      const changedName = name !== undefined && name !== current.name;
      const changedSettings =
        settings !== undefined && JSON.stringify(settings) !== JSON.stringify(current.settings);
      if (!changedName && !changedSettings) return [];
      return [
        {
          type: 'ConnectionUpdated',
          data: { ...(changedName && { name }), ...(changedSettings && { settings }) },
        },
      ];
    }
    case 'RotateConnectionSecrets': {
      const current = existing(state);
      const { secrets, overlapSeconds } = command.data;
      checkSecrets(current.settings, secrets);
      const previousValidUntil =
        overlapSeconds > 0
          ? new Date(command.metadata.now.getTime() + overlapSeconds * 1000).toISOString()
          : undefined;
      return [
        {
          type: 'ConnectionSecretsRotated',
          data: {
            secrets,
            secretHints: hintsOf(secrets),
            ...(previousValidUntil !== undefined && { previousValidUntil }),
          },
        },
      ];
    }
    case 'EnableConnection':
      return existing(state).status === 'enabled' ? [] : [{ type: 'ConnectionEnabled', data: {} }];
    case 'DisableConnection':
      return existing(state).status === 'disabled' ? [] : [{ type: 'ConnectionDisabled', data: {} }];
    case 'RemoveConnection':
      if (state.status === 'removed') return [];
      existing(state);
      return [{ type: 'ConnectionRemoved', data: {} }];
    case 'RecordConnectionTest': {
      existing(state);
      const { ok, message, statusCode, latencyMs } = command.data;
      return [
        {
          type: 'ConnectionTested',
          data: { ok, message, latencyMs, ...(statusCode !== undefined && { statusCode }) },
        },
      ];
    }
  }
};

export const evolve = (state: ConnectionState, event: ConnectionEvent): ConnectionState => {
  switch (event.type) {
    case 'ConnectionCreated':
      return {
        status: 'enabled',
        kind: event.data.settings.kind,
        name: event.data.name,
        settings: event.data.settings,
      };
    case 'ConnectionUpdated':
      return state.status === 'enabled' || state.status === 'disabled'
        ? {
            ...state,
            ...(event.data.name !== undefined && { name: event.data.name }),
            ...(event.data.settings !== undefined && { settings: event.data.settings }),
          }
        : state;
    case 'ConnectionEnabled':
    case 'ConnectionDisabled':
      return state.status === 'enabled' || state.status === 'disabled'
        ? { ...state, status: event.type === 'ConnectionEnabled' ? 'enabled' : 'disabled' }
        : state;
    case 'ConnectionRemoved':
      return { status: 'removed' };
    case 'ConnectionSecretsRotated':
    case 'ConnectionTested':
      return state;
  }
};

export const connectionDecider: Decider<ConnectionCommand, ConnectionEvent, ConnectionState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
