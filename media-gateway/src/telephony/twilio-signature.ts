import twilio from 'twilio';
import type { Context, Middleware } from 'koa';

/**
 * Tenants that brought their own Twilio account: Twilio signs their webhooks with the tenant's auth token and
 * names the tenant's AccountSid. Absent: every webhook is the platform's account's.
 */
export interface WebhookAccounts {
  /** The tenants' own accounts with this SID (enabled now); none: the platform's account. */
  byAccountSid(
    accountSid: string,
  ): Promise<readonly { readonly tenantId: string; readonly authToken: string }[]>;
  /** The tenant a number belongs to, if any. */
  ownerOfNumber(number: string): Promise<string | undefined>;
  /** The tenant of a call the platform knows, if any. */
  tenantOfCall(callId: string): Promise<string | undefined>;
}

const refuse = (ctx: Context, message: string): void => {
  ctx.status = 403;
  ctx.type = 'text/plain';
  ctx.body = message;
};

const queryString = (ctx: Context, name: string): string | undefined => {
  const value = ctx.query[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * What a tenant's own account may drive: its own numbers and calls only. A number or call of another tenant
 * refuses the request (a tenant's token must not reach another tenant's calls); otherwise one of them must be
 * the tenant's (a number, the call, or the tenant the signed URL names).
 */
const tenantsRequest = async (
  ctx: Context,
  params: Record<string, string>,
  tenantId: string,
  accounts: WebhookAccounts,
): Promise<boolean> => {
  const numbers = [params['To'], params['From']].filter((n): n is string => n !== undefined && n !== '');
  const owners = await Promise.all(numbers.map((n) => accounts.ownerOfNumber(n.replace(/^whatsapp:/, ''))));
  const calls = [params['CallSid'], queryString(ctx, 'callId')].filter((c): c is string => c !== undefined);
  const callTenants = await Promise.all(calls.map((c) => accounts.tenantOfCall(c)));
  const named = queryString(ctx, 'tenantId');
  const tenants = [...owners, ...callTenants, named].filter((t): t is string => t !== undefined);
  return tenants.includes(tenantId) && tenants.every((t) => t === tenantId);
};

/**
 * Refuses any webhook whose X-Twilio-Signature does not match: Twilio signs the full URL it called plus the
 * sorted form parameters with the account's auth token — the tenant's own when the AccountSid is a tenant's
 * account, else the platform's. Nothing is recorded for a refused request.
 */
export const requireTwilioSignature =
  (authToken: string, publicUrl: string | undefined, accounts?: WebhookAccounts): Middleware =>
  async (ctx, next) => {
    const signature = ctx.get('x-twilio-signature');
    const params = formParams(ctx);
    const url = webhookUrl(ctx, publicUrl);
    const accountSid = params['AccountSid'] ?? queryString(ctx, 'AccountSid');
    const tenants = accounts && accountSid !== undefined ? await accounts.byAccountSid(accountSid) : [];
    const signedBy = (token: string) => twilio.validateRequest(token, signature, url, params);
    const tenant = tenants.find((t) => signature !== '' && signedBy(t.authToken));
    if (signature === '' || (tenants.length > 0 ? !tenant : !signedBy(authToken))) {
      refuse(ctx, signature === '' ? 'missing X-Twilio-Signature' : 'X-Twilio-Signature does not match');
      return;
    }
    if (tenant && accounts && !(await tenantsRequest(ctx, params, tenant.tenantId, accounts))) {
      refuse(ctx, "the tenant's Twilio account may drive only the tenant's own numbers and calls");
      return;
    }
    await next();
  };

/** The URL Twilio called: behind a tunnel or proxy only the configured public URL says what it was. */
export const webhookUrl = (ctx: Context, publicUrl: string | undefined): string =>
  `${publicUrl?.replace(/\/$/, '') ?? `${ctx.protocol}://${ctx.host}`}${ctx.originalUrl}`;

export const formParams = (ctx: Context): Record<string, string> => {
  const body: unknown = ctx.request.body;
  if (typeof body !== 'object' || body === null) return {};
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') params[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') params[key] = value[0];
  }
  return params;
};
