import type { ConnectionKind, DeliveryAction } from '@ccp/schemas';
import type { IntegrationsSettings } from '@ccp/command-service';
import type { CommandSender } from '../../conversation/commands.js';
import type { IntegrationTarget } from '../port.js';
import { createMessagingNotifyTarget } from './messaging-notify.js';
import { createSlackTarget } from './slack.js';
import { createTelegramTarget } from './telegram.js';
import { freshdeskTarget } from './freshdesk.js';
import { hubspotTarget } from './hubspot.js';
import { providersTarget } from './providers.js';
import { salesforceTarget } from './salesforce.js';
import { twilioTarget } from './twilio.js';
import { webhookTarget } from './webhook.js';
import { zendeskTarget } from './zendesk.js';
import { zohoTarget } from './zoho.js';

/** What every target is built with. */
export interface TargetDeps {
  /** The outbound-request guard's fetch: every address, the platform's or a tenant's, goes through it. */
  readonly fetch: typeof fetch;
  readonly apiUrls: IntegrationsSettings['apiUrls'];
  /** For targets that hand over to the platform's own services (email, SMS and WhatsApp through messaging). */
  readonly commands: CommandSender;
  /** Where people open what a notification is about, when known (PUBLIC_URL, else the platform's address). */
  readonly consoleUrl: () => string;
  readonly log: (message: string) => void;
  /** The Twilio REST API base the platform's own client uses (the local carrier's in the embedded profile). */
  readonly twilioApiUrl?: string;
}

/** Every integration target, by the kinds it serves; a kind without one gets no deliveries. */
export const createTargets = (deps: TargetDeps): ReadonlyMap<ConnectionKind, IntegrationTarget> => {
  const targets: IntegrationTarget[] = [
    webhookTarget(deps.fetch),
    // Notifications
    createSlackTarget(deps),
    createTelegramTarget(deps),
    createMessagingNotifyTarget(deps),
    // CRM and helpdesk
    hubspotTarget(deps),
    salesforceTarget(deps),
    zohoTarget(deps),
    zendeskTarget(deps),
    freshdeskTarget(deps),
    // The tenant's own provider accounts: tested here, used by the media gateway
    providersTarget(deps),
    twilioTarget(deps),
  ];
  const byKind = new Map<ConnectionKind, IntegrationTarget>();
  for (const target of targets) for (const kind of target.kinds) byKind.set(kind, target);
  return byKind;
};

/** Whether a registered target of the kind takes the action. */
export const takes = (
  targets: ReadonlyMap<ConnectionKind, IntegrationTarget>,
  kind: ConnectionKind,
  action: DeliveryAction,
): boolean => targets.get(kind)?.actions.includes(action) ?? false;
