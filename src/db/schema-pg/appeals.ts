import { boolean, index, integer, json, pgTable, text } from 'drizzle-orm/pg-core';
import { recordTimes, timestamp } from './columns.ts';
import type { AppealFrequency } from '../schema/appeals.ts';

// Reader-support appeals.

export const appeals = pgTable(
  'appeals',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    placement: text('placement').notNull(),
    heading: text('heading').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    frequencies: json('frequencies').$type<AppealFrequency[]>().notNull(),
    ctaLabel: text('cta_label').notNull(),
    ctaUrl: text('cta_url').notNull(),
    dismissLabel: text('dismiss_label').notNull(),
    remindAfterDays: integer('remind_after_days').notNull(),
    paymentMethods: json('payment_methods').$type<string[]>().notNull(),
    startsAt: timestamp('starts_at').notNull(),
    endsAt: timestamp('ends_at'),
    priority: integer('priority').notNull().default(0),
    active: boolean('active').notNull().default(true),
    ...recordTimes(),
  },
  (table) => [
    index('appeals_placement_idx').on(
      table.placement,
      table.active,
      table.priority,
      table.startsAt,
    ),
  ],
);

/** Per-installation secrets generated at first start (token signing key, IP-hash salt). */
