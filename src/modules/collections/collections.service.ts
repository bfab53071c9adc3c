import { invalidFields, notFound } from '../../errors.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import { effectiveStatus } from '../articles/articles.service.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
import { checkVersion, type ExpectedVersion } from '../shared/versions.ts';
import type {
  CollectionChange,
  CollectionRecord,
  CollectionsRepository,
  StoredBackfill,
  StoredSlot,
} from './collections.repository.ts';
import {
  type AdminCollection,
  type BackfillInput,
  type CreateCollectionInput,
  type SlotInput,
  tooManySlots,
  type UpdateCollectionInput,
} from './collections.schemas.ts';

// The desk's rules for fronts and sections: editors change them under the version they loaded;
// the pinned slots always fit the size; every change is announced as collection.* and drops the
// front's cached answer (its key) at once, on every instance (the change log).

const noSuchCollection = 'No collection with that id.';

function toAdminCollection({ row, slots }: CollectionRecord, now: Date): AdminCollection {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    language: row.language,
    size: row.size,
    items: slots.map((slot) => ({
      articleId: slot.articleId,
      headline: slot.headline,
      dek: slot.dek,
      photoId: slot.photoId,
      article: {
        slug: slot.article.slug,
        language: slot.article.language,
        headline: slot.article.headline,
        status: effectiveStatus(slot.article, now),
      },
    })),
    backfill: row.backfill
      ? {
          tagIds: row.backfillTagIds,
          authorId: row.backfillAuthorId,
          language: row.backfillLanguage,
        }
      : null,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

const storedSlots = (slots: readonly SlotInput[]): StoredSlot[] =>
  slots.map((slot) => ({
    articleId: slot.articleId,
    headline: slot.headline ?? null,
    dek: slot.dek ?? null,
    photoId: slot.photoId ?? null,
  }));

function storedBackfill(rule: BackfillInput | undefined): StoredBackfill {
  return rule === undefined || rule === null
    ? { backfill: false, backfillTagIds: [], backfillAuthorId: null, backfillLanguage: null }
    : {
        backfill: true,
        backfillTagIds: rule.tagIds ?? [],
        backfillAuthorId: rule.authorId ?? null,
        backfillLanguage: rule.language ?? null,
      };
}

export function createCollectionsService(deps: {
  repository: CollectionsRepository;
  changed: ContentChanged;
  clock: Clock;
}) {
  const { repository, changed, clock } = deps;
  const respond = (record: CollectionRecord) => toAdminCollection(record, clock.now());

  return {
    async list(page: PageRequest<'slug'>): Promise<{ items: AdminCollection[]; total: number }> {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: records.map(respond), total };
    },

    async get(id: string): Promise<AdminCollection> {
      const record = await repository.findById(id);
      if (record === undefined) throw notFound(noSuchCollection);
      return respond(record);
    },

    /** By slug, for the seed's idempotence. */
    async findBySlug(slug: string): Promise<AdminCollection | undefined> {
      const record = await repository.findBySlug(slug);
      return record === undefined ? undefined : respond(record);
    },

    async create(input: CreateCollectionInput): Promise<AdminCollection> {
      const created = await inRequestTerms(
        repository.create(
          {
            name: input.name,
            slug: input.slug,
            language: input.language,
            size: input.size,
            ...storedBackfill(input.backfill),
          },
          storedSlots(input.items),
          clock.now(),
          contentChanges.collectionChanged,
        ),
      );
      changed(contentChanges.collectionChanged(created.row.id));
      return respond(created);
    },

    /** Any of its fields; `items` replaces the whole list of pinned slots. */
    async update(
      id: string,
      expected: ExpectedVersion,
      input: UpdateCollectionInput,
    ): Promise<AdminCollection> {
      const keys = contentChanges.collectionChanged(id);
      const decide = (current: CollectionRecord): CollectionChange => {
        checkVersion('collection', current.row.version, expected);
        const size = input.size ?? current.row.size;
        const pinned = input.items?.length ?? current.slots.length;
        if (pinned > size)
          throw invalidFields([
            {
              path: input.items === undefined ? 'body.size' : 'body.items',
              message: tooManySlots(pinned, size),
            },
          ]);
        return {
          fields: {
            ...(input.name === undefined ? {} : { name: input.name }),
            ...(input.language === undefined ? {} : { language: input.language }),
            ...(input.size === undefined ? {} : { size: input.size }),
            ...(input.backfill === undefined ? {} : storedBackfill(input.backfill)),
          },
          slug: input.slug,
          slots: input.items === undefined ? undefined : storedSlots(input.items),
        };
      };
      const updated = await inRequestTerms(repository.update(id, decide, clock.now(), keys));
      if (updated === undefined) throw notFound(noSuchCollection);
      changed(keys);
      return respond(updated);
    },

    async delete(id: string, expected: ExpectedVersion): Promise<void> {
      const keys = contentChanges.collectionChanged(id);
      const deleted = await inRequestTerms(
        repository.delete(
          id,
          (row) => checkVersion('collection', row.version, expected),
          clock.now(),
          keys,
        ),
      );
      if (!deleted) throw notFound(noSuchCollection);
      changed(keys);
    },
  };
}

export type CollectionsService = ReturnType<typeof createCollectionsService>;
