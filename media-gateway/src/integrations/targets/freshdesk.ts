import { z } from 'zod';
import type { ConnectionOf, Secrets } from '../connections.js';
import { MAX_ANSWER_BYTES, testResultOf } from '../http-result.js';
import type { AttemptResult, IntegrationTarget, TestResult } from '../port.js';
import { openTicket, searchTicket, testTicketApi, type Lookup } from './helpdesk-common.js';
import type { TargetDeps } from './index.js';
import { HELPDESK_TAG, ticketText, ZENDESK_COMMENT_MAX } from './zendesk.js';

/** Freshdesk's priorities: 1 low, 2 medium, 3 high, 4 urgent. */
const PRIORITY = { low: 1, normal: 2, high: 3, urgent: 4 } as const;
/** Freshdesk's status "Open". */
const OPEN = 2;
/** Freshdesk's source "Phone": the tickets come from calls. */
const PHONE = 3;
/**
 * The tag that names the platform's ticket (`ccp:<ticket id>`, `ccp:call:<call id>` for an escalation):
 * Freshdesk has no external id, and its automation webhook sends the tags back, so the status can be matched.
 */
export const FRESHDESK_REF_TAG = 'ccp:';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);

const Created = z.object({ id: z.union([z.number(), z.string()]) });
/** The filter API's answer (`GET /api/v2/search/tickets`): `{total, results: [ticket…]}`. */
const Found = z.object({ results: z.array(Created) });

/**
 * Freshdesk: `open_ticket` creates a ticket through `POST /api/v2/tickets` with Basic auth (`<API key>:X`).
 * Freshdesk needs a requester it can name (email, phone, twitter_id, facebook_id or requester_id; a phone needs
 * a name beside it): a ticket whose customer has neither email nor phone is refused here, for good, rather than
 * sent to be refused there.
 *
 * Freshdesk takes no idempotency key: a retry or a replay (attempt > 1) first looks for a ticket tagged
 * `ccp:<ref>` through the filter API and answers with it, so a lost answer does not open a second ticket. The
 * filter API is eventually consistent (its index trails creation by seconds to minutes), so a retry right after
 * a lost answer can still open a twin; the tag makes it easy to find and merge.
 */
export const freshdeskTarget = (deps: Pick<TargetDeps, 'fetch' | 'apiUrls'>): IntegrationTarget => {
  const baseOf = (connection: ConnectionOf<'freshdesk'>) =>
    (deps.apiUrls.freshdesk ?? 'https://{domain}.freshdesk.com')
      .replace('{domain}', connection.settings.domain)
      .replace(/\/+$/, '');
  const headersOf = (secrets: Secrets) => ({
    authorization: `Basic ${Buffer.from(`${secrets.apiKey ?? ''}:X`).toString('base64')}`,
    accept: 'application/json',
  });

  /** The ticket tagged with our ref, if Freshdesk's filter API knows one; a failed search ends the attempt. */
  const existing = async (
    connection: ConnectionOf<'freshdesk'>,
    secrets: Secrets,
    ref: string,
    signal: AbortSignal,
    now: Date,
  ): Promise<Lookup> => {
    // The query language has no escape for quotes: a ref holding one is not searched (ours never do).
    if (/['"\\]/.test(ref)) return { id: undefined };
    const query = encodeURIComponent(`"tag:'${FRESHDESK_REF_TAG}${ref}'"`);
    return searchTicket(
      deps.fetch,
      `${baseOf(connection)}/api/v2/search/tickets?query=${query}`,
      headersOf(secrets),
      signal,
      now,
      (answer) => {
        const found = Found.safeParse(answer);
        const first = found.success ? found.data.results[0] : undefined;
        return first === undefined ? undefined : String(first.id);
      },
    );
  };

  return {
    kinds: ['freshdesk'],
    actions: ['open_ticket'],
    async deliver(request): Promise<AttemptResult> {
      const { content } = request;
      if (content.kind !== 'ticket' || request.connection.settings.kind !== 'freshdesk')
        return { ok: false, errorKind: 'client_error', error: 'not a Freshdesk ticket', retryable: false };
      const connection = request.connection as ConnectionOf<'freshdesk'>;
      const { email, phone, name } = content.customer ?? {};
      if (email === undefined && phone === undefined)
        return {
          ok: false,
          errorKind: 'client_error',
          error: 'no way to name the requester: Freshdesk needs the customer’s email or phone',
          retryable: false,
        };
      const ticket = {
        subject: content.subject,
        description: escapeHtml(ticketText(content, ZENDESK_COMMENT_MAX)).replace(/\n/g, '<br>'),
        priority: PRIORITY[content.priority],
        status: OPEN,
        source: PHONE,
        ...(email !== undefined && { email }),
        ...(phone !== undefined && { phone }),
        ...((name !== undefined || email === undefined) && { name: name ?? phone }),
        tags: [HELPDESK_TAG, `${FRESHDESK_REF_TAG}${content.externalRef}`],
      };
      return openTicket(deps.fetch, request, {
        url: `${baseOf(connection)}/api/v2/tickets`,
        headers: { ...headersOf(request.secrets), 'content-type': 'application/json' },
        body: JSON.stringify(ticket),
        find: () => existing(connection, request.secrets, content.externalRef, request.signal, request.now),
        createdId: (answer) => {
          const created = Created.safeParse(answer);
          return created.success ? String(created.data.id) : undefined;
        },
      });
    },
    async test(connection, secrets, signal): Promise<TestResult> {
      const freshdesk = connection as ConnectionOf<'freshdesk'>;
      return testTicketApi(
        deps.fetch,
        `${baseOf(freshdesk)}/api/v2/agents/me`,
        headersOf(secrets),
        signal,
        MAX_ANSWER_BYTES,
        (result) => testResultOf(result, `connected to ${freshdesk.settings.domain}.freshdesk.com`),
      );
    },
  };
};
