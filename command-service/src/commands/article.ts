import { ArchiveArticle, CreateArticle, PublishArticle, UnpublishArticle, UpdateArticle } from '@ccp/schemas';
import { articleDecider } from '../domain/article.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const articleStream = (data: { tenantId: string; articleId: string }) => ({
  category: 'article',
  tenantId: data.tenantId,
  id: data.articleId,
});

const editors = { stream: articleStream, roles: ['tenant_admin', 'supervisor'] } as const;

export const articleRoutes: readonly CommandRoute[] = [
  route(CreateArticle, articleDecider, { ...editors, retryOnConflict: false }),
  // An editor wrote against the text they saw; a concurrent edit must be looked at, not overwritten.
  route(UpdateArticle, articleDecider, { ...editors, retryOnConflict: false }),
  route(PublishArticle, articleDecider, { ...editors, retryOnConflict: true }),
  route(UnpublishArticle, articleDecider, { ...editors, retryOnConflict: true }),
  route(ArchiveArticle, articleDecider, { ...editors, retryOnConflict: true }),
];
export const articleReactions: Reactions = {};
