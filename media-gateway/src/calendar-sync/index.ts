import type { MediaGatewaySettings, PlatformContext } from '@ccp/command-service';
import { createGoogleCalendarClient } from './google-client.js';
import { startCalendarSync, type CalendarSync } from './sync.js';
import { readServiceAccountKey, serviceAccountTokens, staticToken } from './token-source.js';

export type { CalendarSync } from './sync.js';

/** Starts the Google Calendar sync when the operator configured a credential for it; otherwise there is none. */
export const startConfiguredCalendarSync = async (
  settings: MediaGatewaySettings['googleCalendar'],
  context: PlatformContext,
  now: () => Date,
): Promise<CalendarSync | undefined> => {
  if (!settings) return undefined;
  const fetch = context.outbound.fetch;
  const tokens = settings.serviceAccountFile
    ? serviceAccountTokens(readServiceAccountKey(settings.serviceAccountFile), { fetch, now })
    : settings.accessToken
      ? staticToken(settings.accessToken)
      : undefined;
  if (!tokens) return undefined;
  const client = createGoogleCalendarClient({
    tokens,
    fetch,
    ...(settings.apiUrl !== undefined && { baseUrl: settings.apiUrl }),
  });
  context.log(`google calendar sync on (${settings.apiUrl ?? 'googleapis.com'})`);
  return startCalendarSync({
    store: context.store,
    checkpoints: context.checkpoints,
    handler: context.handler,
    client,
    now,
    log: context.log,
    pollMs: settings.pollSeconds * 1000,
  });
};
