import { notFound } from '../../errors.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import { embeddedPhoto } from '../photos/photos.service.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
import type { AuthorRecord, AuthorsRepository } from './authors.repository.ts';
import type {
  AdminAuthor,
  CreateAuthorInput,
  PublicAuthor,
  UpdateAuthorInput,
} from './authors.schemas.ts';

/** Drops the newsroom-only fields for the public API. */
export function toPublicAuthor(author: AdminAuthor): PublicAuthor {
  return {
    id: author.id,
    slug: author.slug,
    name: author.name,
    bio: author.bio,
    photo: author.photo,
    links: author.links,
  };
}

const noSuchAuthor = 'No author with that id.';

export function createAuthorsService(deps: {
  repository: AuthorsRepository;
  photos: PhotosRepository;
  changed: ContentChanged;
  clock: Clock;
}) {
  const { repository, photos, changed, clock } = deps;

  /** Embeds portraits with one extra query for the whole batch. */
  async function withPhotos(records: AuthorRecord[]): Promise<AdminAuthor[]> {
    const photoById = await photos.findByIds(
      records.flatMap((record) => (record.photoId === null ? [] : [record.photoId])),
    );
    return records.map((record) => ({
      id: record.id,
      slug: record.slug,
      name: record.name,
      bio: record.bio,
      photo: embeddedPhoto(record.photoId, photoById),
      links: record.links,
      email: record.email,
      createdAt: iso(record.createdAt),
      updatedAt: iso(record.updatedAt),
    }));
  }
  const one = async (record: AuthorRecord | undefined) =>
    record === undefined ? undefined : (await withPhotos([record]))[0];

  return {
    async list(page: PageRequest<'slug'>) {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: await withPhotos(records), total };
    },

    /** Authors with a byline on an article a reader can see at `now`. */
    async listVisible(page: PageRequest<'slug'>, now: Date): Promise<AdminAuthor[]> {
      return withPhotos(await repository.list({ ...page, visibleAt: now }));
    },

    findVisibleBySlug: async (slug: string, now: Date) =>
      one(await repository.findVisibleBySlug(slug, now)),
    findById: async (id: string) => one(await repository.findById(id)),
    findBySlug: async (slug: string) => one(await repository.findBySlug(slug)),

    async create(input: CreateAuthorInput): Promise<AdminAuthor> {
      const record = await inRequestTerms(
        repository.create(
          {
            slug: input.slug,
            name: input.name,
            bio: input.bio ?? null,
            email: input.email ?? null,
            photoId: input.photoId ?? null,
            links: input.links ?? [],
          },
          clock.now(),
        ),
      );
      changed(contentChanges.authorCreated());
      const [author] = await withPhotos([record]);
      if (author === undefined) throw new Error('author vanished');
      return author;
    },

    async update(id: string, input: UpdateAuthorInput): Promise<AdminAuthor> {
      const author = await one(await inRequestTerms(repository.update(id, input, clock.now())));
      if (author === undefined) throw notFound(noSuchAuthor);
      // Articles embed the byline.
      changed(contentChanges.authorUpdated(id));
      return author;
    },

    async delete(id: string): Promise<void> {
      const deleted = await inRequestTerms(repository.delete(id), {
        inUse: 'The author still has a byline on articles; remove it from them first.',
      });
      if (!deleted) throw notFound(noSuchAuthor);
      changed(contentChanges.authorDeleted(id));
    },
  };
}

export type AuthorsService = ReturnType<typeof createAuthorsService>;
