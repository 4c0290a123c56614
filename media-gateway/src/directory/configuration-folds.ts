import type {
  AgentEntry,
  ArticleEntry,
  DepartmentEntry,
  DirectoryEvent,
  NumberEntry,
  ScriptEntry,
  TenantEntry,
} from './directory-entries.js';

/**
 * How the directory (directory.ts) folds what tenants set up: their settings and status, departments, agents,
 * numbers, and the knowledge (articles, call scripts) callers may hear.
 */

/** Applies a partial update where null means "remove the field" (department, business hours). */
const withChanges = <T extends object>(current: T, changes: object): T => {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as T;
};

export const applyTenant = (tenant: TenantEntry, event: DirectoryEvent): void => {
  switch (event.type) {
    case 'PlanTierChanged':
      tenant.planTier = event.data.to;
      return;
    case 'TenantSuspended':
      tenant.status = 'suspended';
      return;
    case 'TenantReactivated':
      tenant.status = 'active';
      return;
    case 'TenantDisabled':
    case 'TenantDeletionRequested':
      tenant.status = 'disabled';
      return;
    case 'TenantSettingsUpdated':
      tenant.settings = withChanges(tenant.settings, event.data.settings);
      return;
    case 'UsageCapReached':
      if (event.data.rule === 'block_ai') tenant.aiBlockedPeriods.add(event.data.period);
      return;
  }
};

export const applyDepartment = (
  departments: Map<string, DepartmentEntry>,
  departmentId: string,
  event: DirectoryEvent,
): void => {
  const department = departments.get(departmentId);
  switch (event.type) {
    case 'DepartmentCreated':
      departments.set(departmentId, { departmentId, settings: event.data, archived: false });
      return;
    case 'DepartmentUpdated':
      if (department) department.settings = withChanges(department.settings, event.data.changes);
      return;
    case 'DepartmentArchived':
      if (department) department.archived = true;
      return;
  }
};

/** `nextOrder` numbers the agents in creation order, across every tenant of the directory. */
export const applyAgent = (
  agents: Map<string, AgentEntry>,
  agentId: string,
  event: DirectoryEvent,
  nextOrder: () => number,
): void => {
  const agent = agents.get(agentId);
  switch (event.type) {
    case 'AgentCreated':
      agents.set(agentId, { agentId, settings: event.data, enabled: true, order: nextOrder() });
      return;
    case 'AgentUpdated':
      if (agent) agent.settings = withChanges(agent.settings, event.data.changes);
      return;
    case 'AgentEnabled':
      if (agent) agent.enabled = true;
      return;
    case 'AgentDisabled':
      if (agent) agent.enabled = false;
      return;
    case 'AgentDeleted':
      agents.delete(agentId);
      return;
  }
};

export const applyNumber = (
  numbers: Map<string, NumberEntry>,
  address: string,
  event: DirectoryEvent,
): void => {
  switch (event.type) {
    case 'NumberProvisioned':
      numbers.set(address, { address, tenantId: event.data.ownerTenantId, target: undefined });
      return;
    case 'NumberAssigned': {
      const entry = numbers.get(address);
      if (entry) entry.target = event.data.target;
      return;
    }
    case 'NumberUnassigned': {
      const entry = numbers.get(address);
      if (entry) entry.target = undefined;
      return;
    }
    case 'NumberReleased':
      numbers.delete(address);
      return;
  }
};

/** True when what callers may hear changed. */
export const applyArticle = (
  articles: Map<string, ArticleEntry>,
  articleId: string,
  event: DirectoryEvent,
): boolean => {
  const article = articles.get(articleId);
  switch (event.type) {
    case 'ArticleCreated':
      articles.set(articleId, {
        articleId,
        title: event.data.title,
        body: event.data.body,
        tags: event.data.tags,
        departmentId: event.data.departmentId,
        language: event.data.language,
        published: false,
        archived: false,
      });
      return true;
    case 'ArticleUpdated':
      if (!article) return false;
      Object.assign(article, withChanges(article, event.data.changes));
      if (event.data.changes.departmentId === null) article.departmentId = undefined;
      return true;
    case 'ArticlePublished':
      if (article) article.published = true;
      return article !== undefined;
    case 'ArticleUnpublished':
      if (article) article.published = false;
      return article !== undefined;
    case 'ArticleArchived':
      if (article) article.archived = true;
      return article !== undefined;
    default:
      return false;
  }
};

export const applyScript = (
  scripts: Map<string, ScriptEntry>,
  scriptId: string,
  event: DirectoryEvent,
): boolean => {
  const script = scripts.get(scriptId);
  switch (event.type) {
    case 'CallScriptCreated':
      scripts.set(scriptId, {
        scriptId,
        name: event.data.name,
        agentType: event.data.agentType,
        opening: event.data.opening,
        objections: event.data.objections,
        closing: event.data.closing,
        language: event.data.language,
        archived: false,
      });
      return true;
    case 'CallScriptUpdated':
      if (!script) return false;
      Object.assign(script, withChanges(script, event.data.changes));
      if (event.data.changes.agentType === null) script.agentType = undefined;
      return true;
    case 'CallScriptArchived':
      if (script) script.archived = true;
      return script !== undefined;
    default:
      return false;
  }
};
