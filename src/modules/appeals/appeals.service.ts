import { invalidFields, notFound } from '../../errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import type { AppealRecord, AppealsRepository } from './appeals.repository.ts';
import type {
  AdminAppeal,
  CreateAppealInput,
  PublicAppeal,
  UpdateAppealInput,
} from './appeals.schemas.ts';

function toPublicAppeal(record: AppealRecord): PublicAppeal {
  return {
    id: record.id,
    placement: record.placement,
    heading: record.heading,
    bodyHtml: record.bodyHtml,
    frequencies: record.frequencies,
    ctaLabel: record.ctaLabel,
    ctaUrl: record.ctaUrl,
    dismissLabel: record.dismissLabel,
    remindAfterDays: record.remindAfterDays,
    paymentMethods: record.paymentMethods,
    startsAt: iso(record.startsAt),
    endsAt: isoOrNull(record.endsAt),
  };
}

function toAdminAppeal(record: AppealRecord): AdminAppeal {
  return {
    ...toPublicAppeal(record),
    name: record.name,
    body: record.body,
    priority: record.priority,
    active: record.active,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

const noSuchAppeal = 'No appeal with that id.';

export function createAppealsService(deps: {
  repository: AppealsRepository;
  changed: ContentChanged;
  clock: Clock;
}) {
  const { repository, changed, clock } = deps;
  return {
    /** The appeal to show now at `placement`, and until when that answer holds at most. */
    async findActive(placement: string, now: Date) {
      const [record, nextChangeAt] = await Promise.all([
        repository.findActive(placement, now),
        repository.nextChangeAt(placement, now),
      ]);
      return { appeal: record === undefined ? undefined : toPublicAppeal(record), nextChangeAt };
    },

    async list(page: PageRequest<'createdAt'>) {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: records.map(toAdminAppeal), total };
    },

    async findById(id: string): Promise<AdminAppeal | undefined> {
      const record = await repository.findById(id);
      return record === undefined ? undefined : toAdminAppeal(record);
    },

    async create(input: CreateAppealInput): Promise<AdminAppeal> {
      const record = await repository.create(
        {
          ...input,
          bodyHtml: renderMarkdown(input.body).html,
          paymentMethods: input.paymentMethods ?? [],
          startsAt: new Date(input.startsAt),
          endsAt: input.endsAt == null ? null : new Date(input.endsAt),
          priority: input.priority ?? 0,
          active: input.active ?? true,
        },
        clock.now(),
      );
      changed(contentChanges.appealChanged());
      return toAdminAppeal(record);
    },

    /** The window is checked against what is stored for the half the request leaves out. */
    async update(id: string, input: UpdateAppealInput): Promise<AdminAppeal> {
      const { startsAt, endsAt, body, ...rest } = input;
      const bodyHtml = body === undefined ? undefined : renderMarkdown(body).html;
      const record = await repository.update(
        id,
        (current) => {
          const nextStart = startsAt === undefined ? current.startsAt : new Date(startsAt);
          const nextEnd =
            endsAt === undefined ? current.endsAt : endsAt === null ? null : new Date(endsAt);
          if (nextEnd !== null && nextEnd.getTime() <= nextStart.getTime()) {
            throw invalidFields([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
          }
          return {
            ...rest,
            ...(body === undefined || bodyHtml === undefined ? {} : { body, bodyHtml }),
            startsAt: nextStart,
            endsAt: nextEnd,
          };
        },
        clock.now(),
      );
      if (record === undefined) throw notFound(noSuchAppeal);
      changed(contentChanges.appealChanged());
      return toAdminAppeal(record);
    },

    async delete(id: string): Promise<void> {
      if (!(await repository.delete(id))) throw notFound(noSuchAppeal);
      changed(contentChanges.appealChanged());
    },
  };
}

export type AppealsService = ReturnType<typeof createAppealsService>;
