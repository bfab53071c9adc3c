import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { recordTimes, timestamp } from './columns.ts';

// Reader-support appeals.

export const appealFrequencies = ['once', 'monthly', 'annual'] as const;

export interface AppealFrequency {
  frequency: (typeof appealFrequencies)[number];
  currency: string;
  /** Minor units (cents), ascending. */
  suggestedAmounts: number[];
  minimumAmount: number;
}

export const appeals = sqliteTable(
  'appeals',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    placement: text('placement').notNull(),
    heading: text('heading').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    frequencies: text('frequencies', { mode: 'json' }).$type<AppealFrequency[]>().notNull(),
    ctaLabel: text('cta_label').notNull(),
    ctaUrl: text('cta_url').notNull(),
    dismissLabel: text('dismiss_label').notNull(),
    remindAfterDays: integer('remind_after_days').notNull(),
    paymentMethods: text('payment_methods', { mode: 'json' }).$type<string[]>().notNull(),
    startsAt: timestamp('starts_at').notNull(),
    endsAt: timestamp('ends_at'),
    priority: integer('priority').notNull().default(0),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
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
