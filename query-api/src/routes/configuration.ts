import { z } from 'zod';
import type { Role } from '@ccp/schemas';
import { CatalogItemSchema, type CatalogCategory } from '../config/catalog.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound } from './route-helpers.js';

const ConfigList = z.object({ items: z.array(CatalogItemSchema) });
const Directory = z.object({
  departments: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
  agents: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.string(),
      status: z.string(),
      departmentId: z.string().nullable(),
    }),
  ),
  members: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })),
});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The tenant's configuration as the write side holds it, for the console's editors, and the names for its labels. */
export const configurationRoutes = (deps: QueryDependencies): QueryRoute[] => {
  /** A configuration list as a route: the tenant's items of one category, as the write side holds them. */
  const configRoute = (
    name: string,
    operationId: string,
    summary: string,
    category: CatalogCategory,
    roles: readonly Role[],
  ): QueryRoute =>
    defineRoute({
      method: 'get',
      path: `/api/config/${name}`,
      operationId,
      summary,
      tag: 'configuration',
      roles,
      scope: 'read',
      response: ConfigList,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        return { body: { items: deps.catalog.list(scope.tenantId, category) } };
      },
    });

  return [
    configRoute(
      'departments',
      'configDepartments',
      'List departments with their routing and escalation',
      'department',
      ROLE_MATRIX.configuration,
    ),
    configRoute(
      'agents',
      'configAgents',
      'List AI agents with their voice, personality, prompts, hours and rules',
      'agent',
      ROLE_MATRIX.configuration,
    ),
    configRoute(
      'numbers',
      'configNumbers',
      'List the phone numbers and SIP extensions the tenant holds',
      'number',
      ROLE_MATRIX.configuration,
    ),
    configRoute(
      'articles',
      'configArticles',
      'List knowledge base articles, drafts included',
      'article',
      ROLE_MATRIX.configuration,
    ),
    configRoute('scripts', 'configScripts', 'List call scripts', 'script', ROLE_MATRIX.configuration),
    configRoute('members', 'configMembers', 'List team members and their roles', 'member', ROLE_MATRIX.team),
    defineRoute({
      method: 'get',
      path: '/api/config/tenant',
      operationId: 'configTenant',
      summary: 'Read the tenant’s settings, tier, status and plan usage',
      tag: 'configuration',
      roles: ROLE_MATRIX.team,
      scope: 'read',
      response: CatalogItemSchema,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const tenant = deps.catalog.tenant(scope.tenantId);
        if (!tenant) throw notFound('tenant');
        return { body: tenant };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/config/directory',
      operationId: 'configDirectory',
      summary: 'Read the names of departments, agents and people, for filters and labels',
      tag: 'configuration',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: Directory,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const list = (category: CatalogCategory) => deps.catalog.list(scope.tenantId, category);
        return {
          body: {
            departments: list('department').map((d) => ({
              id: d.id,
              name: str(d['name']),
              status: str(d['status']),
            })),
            agents: list('agent').map((a) => ({
              id: a.id,
              name: str(a['name']),
              type: str(a['type']),
              status: str(a['status']),
              departmentId: typeof a['departmentId'] === 'string' ? a['departmentId'] : null,
            })),
            members: list('member').map((m) => ({ id: m.id, name: str(m['name']), role: str(m['role']) })),
          },
        };
      },
    }),
  ];
};
