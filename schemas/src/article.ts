import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { EntityId, LanguageTag, LongText, TenantId } from './primitives.js';
import { requireSomeField } from './updates.js';

const category = 'article';

export const ArticleTitle = z.string().trim().min(1).max(200);
/** Markdown. */
export const ArticleBody = LongText;
export const ArticleTags = z.array(z.string().trim().min(1).max(50)).max(30);

/** What an update may change; a null department makes the article tenant-wide again. */
export const ArticleChanges = z
  .object({
    title: ArticleTitle,
    body: ArticleBody,
    tags: ArticleTags,
    departmentId: EntityId.nullable(),
    language: LanguageTag,
  })
  .partial();
export type ArticleChanges = z.infer<typeof ArticleChanges>;

const articleKey = { tenantId: TenantId, articleId: EntityId };

// Commands

export const CreateArticle = defineCommand(
  category,
  'CreateArticle',
  z.object({
    ...articleKey,
    title: ArticleTitle,
    body: ArticleBody,
    tags: ArticleTags.default([]),
    departmentId: EntityId.optional(),
    language: LanguageTag.default('en'),
  }),
  'Write a knowledge base article as a draft; AI agents answer from published articles only.',
);
export const UpdateArticle = defineCommand(
  category,
  'UpdateArticle',
  requireSomeField(z.object({ ...articleKey, ...ArticleChanges.shape }), [
    'title',
    'body',
    'tags',
    'departmentId',
    'language',
  ]),
  'Change the title, body, tags, department or language of an article that is not archived.',
);
export const PublishArticle = defineCommand(
  category,
  'PublishArticle',
  z.object(articleKey),
  'Make an article available to AI agents and the help centre.',
);
export const UnpublishArticle = defineCommand(
  category,
  'UnpublishArticle',
  z.object(articleKey),
  'Take a published article back to draft.',
);
export const ArchiveArticle = defineCommand(
  category,
  'ArchiveArticle',
  z.object(articleKey),
  'Retire an article for good; it can no longer be changed or published.',
);

// Events

export const ArticleCreated = defineEvent(
  category,
  'ArticleCreated',
  1,
  z.object({
    title: ArticleTitle,
    body: ArticleBody,
    tags: ArticleTags,
    departmentId: EntityId.optional(),
    language: LanguageTag,
  }),
);
export const ArticleUpdated = defineEvent(
  category,
  'ArticleUpdated',
  1,
  z.object({ changes: ArticleChanges }),
);
export const ArticlePublished = defineEvent(category, 'ArticlePublished', 1, z.object({}));
export const ArticleUnpublished = defineEvent(category, 'ArticleUnpublished', 1, z.object({}));
export const ArticleArchived = defineEvent(category, 'ArticleArchived', 1, z.object({}));

export const articleCommands = [
  CreateArticle,
  UpdateArticle,
  PublishArticle,
  UnpublishArticle,
  ArchiveArticle,
] as const;
export const articleEvents = [
  ArticleCreated,
  ArticleUpdated,
  ArticlePublished,
  ArticleUnpublished,
  ArticleArchived,
] as const;
