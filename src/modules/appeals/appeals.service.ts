import { invalidFields } from '../../errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { type ContentKey, changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
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

export function createAppealsService(deps: ServiceDeps<AppealsRepository>) {
  const { repository, clock } = deps;
  const records = recordService(deps, (found) => found.map(toAdminAppeal), 'appeal');
  return {
    /** The appeal to show now at `placement`, and until when that answer holds at most. */
    async findActive(placement: string, now: Date) {
      const record = await repository.findActive(placement, now);
      if (record === undefined) return { appeal: undefined, nextChangeAt: null };
      const nextChangeAt = await repository.nextChangeAt(placement, now);
      return { appeal: toPublicAppeal(record), nextChangeAt };
    },

    ...records.reads,

    create: (input: CreateAppealInput): Promise<AdminAppeal> =>
      records.written(contentChanges.appealChanged(), (keys) =>
        repository.create(
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
          keys,
        ),
      ),

    /** The window is checked against what is stored for the half the request leaves out. */
    update(id: string, input: UpdateAppealInput): Promise<AdminAppeal> {
      const { startsAt, endsAt, body, ...rest } = input;
      const bodyHtml = body === undefined ? undefined : renderMarkdown(body).html;
      const updating = (keys: readonly ContentKey[]) =>
        repository.update(
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
          keys,
        );
      return records.written(contentChanges.appealChanged(), updating);
    },

    delete: (id: string) =>
      records.deleted(contentChanges.appealChanged(), (keys) =>
        repository.delete(id, clock.now(), keys),
      ),
  };
}

export type AppealsService = ReturnType<typeof createAppealsService>;
