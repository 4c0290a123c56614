import { describe, expect, it } from 'vitest';
import {
  ArchiveArticle,
  CreateArticle,
  PublishArticle,
  UnpublishArticle,
  UpdateArticle,
  parseWith,
} from '@ccp/schemas';
import { articleDecider, type ArticleCommand, type ArticleEvent } from './article.js';
import { fold } from './decider.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(articleDecider);
// Emmett's then() matches a subset and cannot compare nulls or empty arrays; these cases need exact events.
const decided = (events: ArticleEvent[], c: ArticleCommand) =>
  articleDecider.decide(c, fold(articleDecider, events));

const key = { tenantId: 'acme', articleId: 'refunds' };
const created: ArticleEvent = {
  type: 'ArticleCreated',
  data: { title: 'Refunds', body: '# Refunds\nWithin 30 days.', tags: ['billing'], language: 'en' },
};
const published: ArticleEvent = { type: 'ArticlePublished', data: {} };
const archived: ArticleEvent = { type: 'ArticleArchived', data: {} };

describe('article decider', () => {
  describe('CreateArticle', () => {
    it('creates a draft in English with no tags by default', () =>
      expect(
        decided([], command(CreateArticle, { ...key, title: 'Refunds', body: 'Within 30 days.' })),
      ).toStrictEqual([
        {
          type: 'ArticleCreated',
          data: { title: 'Refunds', body: 'Within 30 days.', tags: [], language: 'en' },
        },
      ]));

    it('keeps the given tags, department and language', () =>
      given([])
        .when(
          command(CreateArticle, {
            ...key,
            title: 'Reembolsos',
            body: 'En 30 días.',
            tags: ['billing'],
            departmentId: 'sales',
            language: 'es-MX',
          }),
        )
        .then([
          {
            type: 'ArticleCreated',
            data: {
              title: 'Reembolsos',
              body: 'En 30 días.',
              tags: ['billing'],
              departmentId: 'sales',
              language: 'es-MX',
            },
          },
        ]));

    it('refuses an article id that is taken', () =>
      given([created])
        .when(command(CreateArticle, { ...key, title: 'Other', body: '' }))
        .thenThrows(refusedWith('ARTICLE_EXISTS')));
  });

  describe('UpdateArticle', () => {
    it('records only the fields that change', () =>
      given([created])
        .when(command(UpdateArticle, { ...key, title: 'Refunds and returns', tags: ['billing'] }))
        .then([{ type: 'ArticleUpdated', data: { changes: { title: 'Refunds and returns' } } }]));

    it('updates a published article', () =>
      given([created, published])
        .when(command(UpdateArticle, { ...key, body: 'Within 60 days.' }))
        .then([{ type: 'ArticleUpdated', data: { changes: { body: 'Within 60 days.' } } }]));

    it('treats restating the current content as already done', () =>
      given([created, { type: 'ArticleUpdated', data: { changes: { tags: ['billing', 'returns'] } } }])
        .when(command(UpdateArticle, { ...key, title: 'Refunds', tags: ['billing', 'returns'] }))
        .thenNothingHappened());

    it('makes an article tenant-wide again with a null department', () => {
      const inSales: ArticleEvent = {
        type: 'ArticleCreated',
        data: { ...created.data, departmentId: 'sales' },
      };
      const tenantWide: ArticleEvent = { type: 'ArticleUpdated', data: { changes: { departmentId: null } } };
      expect(decided([inSales], command(UpdateArticle, { ...key, departmentId: null }))).toStrictEqual([
        tenantWide,
      ]);
      given([inSales, tenantWide])
        .when(command(UpdateArticle, { ...key, departmentId: null }))
        .thenNothingHappened();
    });

    it('refuses to change an archived article', () =>
      given([created, archived])
        .when(command(UpdateArticle, { ...key, title: 'Revived' }))
        .thenThrows(refusedWith('ARTICLE_ARCHIVED')));

    it('refuses an update that names nothing to change', () =>
      expect(parseWith(UpdateArticle.data, key)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', field: '' },
      }));
  });

  describe('PublishArticle and UnpublishArticle', () => {
    it('publishes a draft', () =>
      given([created])
        .when(command(PublishArticle, key))
        .then([{ type: 'ArticlePublished', data: {} }]));

    it('publishing a published article is already done', () =>
      given([created, published]).when(command(PublishArticle, key)).thenNothingHappened());

    it('refuses to publish an archived article', () =>
      given([created, archived])
        .when(command(PublishArticle, key))
        .thenThrows(refusedWith('ARTICLE_ARCHIVED')));

    it('takes a published article back to draft', () =>
      given([created, published])
        .when(command(UnpublishArticle, key))
        .then([{ type: 'ArticleUnpublished', data: {} }]));

    it('unpublishing a draft is already done', () =>
      given([created, published, { type: 'ArticleUnpublished', data: {} }])
        .when(command(UnpublishArticle, key))
        .thenNothingHappened());

    it('refuses to unpublish an archived article', () =>
      given([created, published, archived])
        .when(command(UnpublishArticle, key))
        .thenThrows(refusedWith('ARTICLE_ARCHIVED')));
  });

  describe('ArchiveArticle', () => {
    it('archives a published article', () =>
      given([created, published]).when(command(ArchiveArticle, key)).then([archived]));

    it('archiving twice is one archive', () =>
      given([created, archived]).when(command(ArchiveArticle, key)).thenNothingHappened());
  });

  const toMissing: ArticleCommand[] = [
    command(UpdateArticle, { ...key, title: 'x' }),
    command(PublishArticle, key),
    command(UnpublishArticle, key),
    command(ArchiveArticle, key),
  ];
  it.each(toMissing.map((c) => [c.type, c] as const))(
    'refuses %s to an article that does not exist',
    (_, c) => given([]).when(c).thenThrows(refusedWith('ARTICLE_NOT_FOUND')),
  );
});
