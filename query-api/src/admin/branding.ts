import { z } from 'zod';
import type { ReadStore } from '@ccp/projections';

export const Branding = z.object({
  tenantId: z.string(),
  displayName: z.string().nullable(),
  primaryColor: z.string().nullable(),
  logoUrl: z.string().nullable(),
  sso: z
    .array(z.object({ issuer: z.string(), clientId: z.string(), name: z.string().optional() }))
    .describe("Identity providers the tenant's members sign in with (OpenID Connect)"),
});

/**
 * The white-label look of the tenant that owns `domain` (its settings' branding.customDomain), for the console
 * to theme its sign-in page before anyone signs in: only the branding, nothing else about the tenant.
 */
export const brandingForDomain = async (
  store: ReadStore,
  domain: string,
): Promise<Omit<z.infer<typeof Branding>, 'sso'> | undefined> => {
  const rows = await store.query<{ tenant_id: string; branding: string }>(
    `SELECT tenant_id, argMax(JSONExtractRaw(data, 'settings', 'branding'), position) AS branding
       FROM events FINAL
      WHERE type IN ('TenantCreated', 'TenantSettingsUpdated') AND JSONHas(data, 'settings', 'branding')
      GROUP BY tenant_id`,
  );
  for (const row of rows) {
    const branding = JSON.parse(row.branding) as {
      customDomain?: string;
      displayName?: string;
      primaryColor?: string;
      logoUrl?: string;
    };
    if (branding.customDomain?.toLowerCase() !== domain.toLowerCase()) continue;
    return {
      tenantId: row.tenant_id,
      displayName: branding.displayName ?? null,
      primaryColor: branding.primaryColor ?? null,
      logoUrl: branding.logoUrl ?? null,
    };
  }
  return undefined;
};
