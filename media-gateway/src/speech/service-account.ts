import { z } from 'zod';

/** The fields of a Google service account key this platform uses; the JSON holds more. */
const ServiceAccount = z.object({
  type: z.literal('service_account').optional(),
  client_email: z.string().min(3),
  private_key: z.string().includes('PRIVATE KEY'),
  project_id: z.string().min(1).optional(),
  token_uri: z.url().optional(),
});
export type ServiceAccount = z.infer<typeof ServiceAccount>;

/**
 * A tenant's service account key, pasted as the JSON file Google gives out. The message says what is wrong
 * without quoting the key.
 */
export const parseServiceAccount = (
  json: string,
):
  | { readonly ok: true; readonly account: ServiceAccount }
  | { readonly ok: false; readonly message: string } => {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return {
      ok: false,
      message: 'the service account key is not JSON: paste the whole key file Google gave',
    };
  }
  const parsed = ServiceAccount.safeParse(raw);
  if (parsed.success) return { ok: true, account: parsed.data };
  const missing = parsed.error.issues.map((issue) => issue.path.join('.')).filter((p) => p !== '');
  return {
    ok: false,
    message: `not a Google service account key (${missing.length > 0 ? `missing or invalid: ${[...new Set(missing)].join(', ')}` : 'not an object'})`,
  };
};
