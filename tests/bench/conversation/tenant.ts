/**
 * A benchmark business set up as a new tenant the way a new customer does it: through the command API over HTTP,
 * as the super admin creating the tenant and then its agent, number, knowledge, staff and services.
 */
import type { apiClient } from '../../support/platform.js';
import type { Business } from './scenario.js';

type Api = ReturnType<typeof apiClient>;

/** Sends one command; a refusal stops the set-up with the platform's own reason. */
const send = async (api: Api, type: string, data: Record<string, unknown>): Promise<void> => {
  const response = await api.command(type, data);
  if (response.status !== 200)
    throw new Error(`${type} refused (${String(response.status)}): ${JSON.stringify(response.body)}`);
};

/** The staff who serve every service: two, so that the business is not one person's diary. */
const STAFF = ['staff-a', 'staff-b'] as const;

export const setUpBusiness = async (api: Api, business: Business): Promise<void> => {
  const tenantId = business.id;
  const languages = [...new Set(business.articles.map((a) => a.language))];
  await send(api, 'CreateTenant', {
    tenantId,
    name: business.name,
    planTier: 'professional',
    settings: {
      timeZone: business.timeZone,
      languages: languages.includes('en') ? languages : ['en', ...languages],
      businessHours: { weekly: business.hours.map((h) => ({ ...h })) },
      branding: { displayName: business.name },
    },
  });
  await send(api, 'CreateAgent', {
    tenantId,
    agentId: 'receptionist',
    name: business.agent.name,
    type: 'customer_service',
    personality: { tone: business.agent.tone, greeting: business.agent.greeting },
    systemPrompt: business.agent.systemPrompt,
    languages: ['en', 'es'],
  });
  await send(api, 'ProvisionNumber', {
    tenantId,
    address: business.number,
    kind: 'pstn',
    provider: 'simulator',
    label: 'Main line',
  });
  await send(api, 'AssignNumber', {
    tenantId,
    address: business.number,
    target: { kind: 'agent', id: 'receptionist' },
  });
  for (const article of business.articles) {
    await send(api, 'CreateArticle', {
      tenantId,
      articleId: article.id,
      title: article.title,
      body: article.body,
      tags: [...article.tags],
      language: article.language,
    });
    await send(api, 'PublishArticle', { tenantId, articleId: article.id });
  }
  if (business.services.length === 0) return;
  for (const [index, resourceId] of STAFF.entries()) {
    await send(api, 'AddResource', {
      tenantId,
      resourceId,
      name: `Staff ${String(index + 1)}`,
      kind: 'staff',
      timeZone: business.timeZone,
      workingHours: business.hours.map((h) => ({ ...h })),
    });
  }
  for (const service of business.services) {
    await send(api, 'DefineService', {
      tenantId,
      serviceId: service.id,
      name: service.name,
      durationMinutes: service.durationMinutes,
      ...(service.price !== undefined && {
        price: { amountMinor: Math.round(service.price * 100), currency: business.currency ?? 'USD' },
      }),
      resourceIds: [...STAFF],
    });
  }
};
