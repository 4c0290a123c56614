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
 * What a tenant's own account may drive: its own numbers and calls only. Every call id a handler reads (CallSid,
 * ParentCallSid, the form's or the query's callId) and the tenant the signed URL names must not be another
 * tenant's. The dialled number (To) decides the tenant of a request that names none of the signer's calls (an
 * incoming call or message is routed by it), so another tenant's To is refused there; on the signer's own call
 * (an outbound call to a number another tenant owns) it is only the far party. A caller's number (From) may be
 * anyone's. At least one of the numbers, the calls or the named tenant must be the signer's.
 */
const tenantsRequest = async (
  ctx: Context,
  params: Record<string, string>,
  tenantId: string,
  accounts: WebhookAccounts,
): Promise<boolean> => {
  const ownerOf = async (n: string | undefined) =>
    n === undefined || n === '' ? undefined : accounts.ownerOfNumber(n.replace(/^whatsapp:/, ''));
  const [to, from] = await Promise.all([ownerOf(params['To']), ownerOf(params['From'])]);
  const calls = [
    params['CallSid'],
    params['ParentCallSid'],
    params['callId'],
    queryString(ctx, 'callId'),
  ].filter((c): c is string => c !== undefined && c !== '');
  const callTenants = (await Promise.all(calls.map((c) => accounts.tenantOfCall(c)))).filter(
    (t): t is string => t !== undefined,
  );
  const named = queryString(ctx, 'tenantId');
  if (named !== undefined && named !== tenantId) return false;
  if (callTenants.some((t) => t !== tenantId)) return false;
  const ownCall = named === tenantId || callTenants.length > 0;
  if (to !== undefined && to !== tenantId && !ownCall) return false;
  return ownCall || to === tenantId || from === tenantId;
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
