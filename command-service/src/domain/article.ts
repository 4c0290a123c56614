import type { ArticleChanges, CommandOf, EventOf, articleCommands, articleEvents } from '@ccp/schemas';
import { changedFields, isEmpty } from './changes.js';
import { DomainError, type Decider } from './decider.js';

export type ArticleCommand = CommandOf<(typeof articleCommands)[number]>;
export type ArticleEvent = EventOf<(typeof articleEvents)[number]>;

export type ArticleStatus = 'draft' | 'published' | 'archived';

export type ArticleState =
  | { readonly status: 'none' }
  | {
      readonly status: ArticleStatus;
      readonly title: string;
      readonly body: string;
      readonly tags: readonly string[];
      /** null: the article serves the whole tenant. */
      readonly departmentId: string | null;
      readonly language: string;
    };

type ExistingArticle = Exclude<ArticleState, { status: 'none' }>;

const existing = (state: ArticleState): ExistingArticle => {
  if (state.status === 'none')
    throw new DomainError('ARTICLE_NOT_FOUND', 'the article does not exist', 'articleId');
  return state;
};

const notArchived = (state: ArticleState): ExistingArticle => {
  const article = existing(state);
  if (article.status === 'archived') {
    throw new DomainError('ARTICLE_ARCHIVED', 'the article is archived', 'articleId');
  }
  return article;
};

export const decide = (command: ArticleCommand, state: ArticleState): ArticleEvent[] => {
  switch (command.type) {
    case 'CreateArticle': {
      if (state.status !== 'none') {
        throw new DomainError(
          'ARTICLE_EXISTS',
          `article ${command.data.articleId} already exists`,
          'articleId',
        );
      }
      const { tenantId: _tenantId, articleId: _articleId, ...content } = command.data;
      return [{ type: 'ArticleCreated', data: content }];
    }
    case 'UpdateArticle': {
      const article = notArchived(state);
      const { tenantId: _tenantId, articleId: _articleId, ...update } = command.data;
      const changes: ArticleChanges = changedFields(article, update);
      return isEmpty(changes) ? [] : [{ type: 'ArticleUpdated', data: { changes } }];
    }
    case 'PublishArticle': {
      const article = notArchived(state);
      return article.status === 'published' ? [] : [{ type: 'ArticlePublished', data: {} }];
    }
    case 'UnpublishArticle': {
      const article = notArchived(state);
      return article.status === 'draft' ? [] : [{ type: 'ArticleUnpublished', data: {} }];
    }
    case 'ArchiveArticle': {
      const article = existing(state);
      return article.status === 'archived' ? [] : [{ type: 'ArticleArchived', data: {} }];
    }
  }
};

export const evolve = (state: ArticleState, event: ArticleEvent): ArticleState => {
  if (event.type === 'ArticleCreated') {
    return { status: 'draft', ...event.data, departmentId: event.data.departmentId ?? null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ArticleUpdated':
      return { ...state, ...event.data.changes };
    case 'ArticlePublished':
      return { ...state, status: 'published' };
    case 'ArticleUnpublished':
      return { ...state, status: 'draft' };
    case 'ArticleArchived':
      return { ...state, status: 'archived' };
  }
};

export const articleDecider: Decider<ArticleCommand, ArticleEvent, ArticleState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
