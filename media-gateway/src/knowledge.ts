import type { Directory } from './directory/directory.js';
import type { KnowledgeHit, KnowledgeSearch } from './conversation/tools.js';
import {
  createKnowledgeIndex,
  type KnowledgeDocument,
  type KnowledgeIndex,
} from './dialogue/knowledge-index.js';

/** What callers may hear from a tenant's knowledge: published articles, and the scripts' objection answers. */
export const knowledgeDocuments = (directory: Directory, tenantId: string): KnowledgeDocument[] => [
  ...directory
    .articles(tenantId)
    .filter((a) => a.published && !a.archived)
    .map((a): KnowledgeDocument => ({
      id: `article:${a.articleId}`,
      kind: 'article',
      title: a.title,
      text: a.body,
      tags: [...a.tags],
      language: a.language,
      ...(a.departmentId !== undefined && { departmentId: a.departmentId }),
    })),
  ...directory
    .scripts(tenantId)
    .filter((s) => !s.archived)
    .flatMap((s) =>
      s.objections.map((o, i): KnowledgeDocument => ({
        id: `objection:${s.scriptId}:${i}`,
        kind: 'objection',
        title: o.objection,
        text: o.response,
        tags: [s.name],
        language: s.language,
      })),
    ),
];

/**
 * Search over each tenant's knowledge, indexed on first use and indexed again after an article or script of
 * the tenant changed: a tenant's knowledge is small, and a whole rebuild cannot drift from the log.
 */
export const tenantKnowledge = (directory: Directory): KnowledgeSearch => {
  const indexes = new Map<string, KnowledgeIndex>();
  directory.onKnowledgeChange(({ tenantId }) => indexes.delete(tenantId));
  return (tenantId, query, { language, departmentId }): KnowledgeHit[] => {
    let index = indexes.get(tenantId);
    if (!index) {
      index = createKnowledgeIndex(knowledgeDocuments(directory, tenantId));
      indexes.set(tenantId, index);
    }
    return index.search(query, { language, departmentId, limit: 3 }).map((hit) => ({
      id: hit.id,
      kind: hit.kind,
      title: hit.title,
      text: hit.text,
      score: hit.score,
    }));
  };
};
