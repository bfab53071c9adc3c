import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import { embeddedPhoto } from '../photos/photos.service.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import type { ModuleDeps } from '../shared/module.ts';
import { recordService } from '../shared/record-service.ts';
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

export function createAuthorsService({
  repository,
  photos,
  changed,
  clock,
}: Omit<ModuleDeps, 'store'> & { repository: AuthorsRepository; photos: PhotosRepository }) {
  /** Embeds portraits with one extra query for the whole batch. */
  async function withPhotos(found: AuthorRecord[]): Promise<AdminAuthor[]> {
    const photoById = await photos.findByIds(
      found.flatMap((record) => (record.photoId === null ? [] : [record.photoId])),
    );
    return found.map((record) => ({
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
  const records = recordService(repository, withPhotos, {
    notFound: 'No author with that id.',
    inUse: 'The author still has a byline on articles; remove it from them first.',
  });

  return {
    list: records.list,
    findById: records.findById,
    findBySlug: async (slug: string) => records.one(await repository.findBySlug(slug)),

    /** Authors with a byline on an article a reader can see at `now`. */
    listVisible: async (page: PageRequest<'slug'>, now: Date) =>
      withPhotos(await repository.listVisible(page, now)),
    findVisibleBySlug: async (slug: string, now: Date) =>
      records.one(await repository.findVisibleBySlug(slug, now)),

    async create(input: CreateAuthorInput): Promise<AdminAuthor> {
      const fields = {
        slug: input.slug,
        name: input.name,
        bio: input.bio ?? null,
        email: input.email ?? null,
        photoId: input.photoId ?? null,
        links: input.links ?? [],
      };
      const record = await inRequestTerms(repository.create(fields, clock.now()));
      changed(contentChanges.authorCreated());
      return records.saved(record);
    },

    async update(id: string, input: UpdateAuthorInput): Promise<AdminAuthor> {
      const author = await records.changed(
        await inRequestTerms(repository.update(id, input, clock.now())),
      );
      // Articles embed the byline.
      changed(contentChanges.authorUpdated(id));
      return author;
    },

    async delete(id: string): Promise<void> {
      await records.deleted(repository.delete(id));
      changed(contentChanges.authorDeleted(id));
    },
  };
}

export type AuthorsService = ReturnType<typeof createAuthorsService>;
