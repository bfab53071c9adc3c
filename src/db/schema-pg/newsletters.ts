import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { idAndSlug, recordTimes, timestamp } from './columns.ts';
import { cadences, weekdays, signupStatuses, consentEvents } from '../schema/newsletters.ts';

// Newsletters, signups and the consent ledger.

export const newsletters = pgTable(
  'newsletters',
  {
    ...idAndSlug(),
    name: text('name').notNull(),
    description: text('description'),
    cadence: text('cadence', { enum: cadences }).notNull(),
    sendDay: text('send_day', { enum: weekdays }),
    previewUrl: text('preview_url'),
    // The privacy-policy version a signup must agree to now (e.g. "privacy-policy@3").
    privacyPolicyVersion: text('privacy_policy_version').notNull(),
    active: boolean('active').notNull().default(true),
    ...recordTimes(),
  },
  (table) => [
    uniqueIndex('newsletters_slug_unique').on(table.slug),
    index('newsletters_active_idx').on(table.active, table.slug),
  ],
);

export const newsletterSignups = pgTable(
  'newsletter_signups',
  {
    id: text('id').primaryKey(),
    newsletterId: text('newsletter_id')
      .notNull()
      .references(() => newsletters.id, { onDelete: 'restrict' }),
    // Normalised (trimmed, domain lower-cased). Null once erased.
    email: text('email'),
    // The mailbox the address reaches: lower-cased, without a +tag. Mail is throttled per mailbox,
    // so case and +tag variants cannot multiply confirmation emails. Null once erased.
    emailKey: text('email_key'),
    status: text('status', { enum: signupStatuses }).notNull(),
    // The latest consent: what was agreed to, when, on which form, from which (hashed) address.
    consentPolicyVersion: text('consent_policy_version').notNull(),
    consentedAt: timestamp('consented_at').notNull(),
    consentSource: text('consent_source'),
    ipHash: text('ip_hash'),
    // A consent asked for again (after an unsubscribe, or while still pending) and not confirmed
    // yet: it replaces the consent above only when its confirmation link is used.
    pendingPolicyVersion: text('pending_policy_version'),
    pendingConsentedAt: timestamp('pending_consented_at'),
    pendingSource: text('pending_source'),
    pendingIpHash: text('pending_ip_hash'),
    confirmedAt: timestamp('confirmed_at'),
    unsubscribedAt: timestamp('unsubscribed_at'),
    // SHA-256 of the pending confirmation token; cleared when used.
    confirmationTokenHash: text('confirmation_token_hash'),
    confirmationExpiresAt: timestamp('confirmation_expires_at'),
    lastConfirmationSentAt: timestamp('last_confirmation_sent_at'),
    ...recordTimes(),
  },
  (table) => [
    uniqueIndex('newsletter_signups_newsletter_email_unique').on(table.newsletterId, table.email),
    uniqueIndex('newsletter_signups_confirmation_token_unique').on(table.confirmationTokenHash),
    index('newsletter_signups_newsletter_status_idx').on(
      table.newsletterId,
      table.status,
      table.createdAt,
      table.id,
    ),
    index('newsletter_signups_newsletter_created_idx').on(
      table.newsletterId,
      table.createdAt,
      table.id,
    ),
    index('newsletter_signups_last_sent_idx').on(table.lastConfirmationSentAt),
    index('newsletter_signups_email_key_idx').on(table.newsletterId, table.emailKey),
    // Unconfirmed signups, oldest first, for the retention purge.
    index('newsletter_signups_pending_created_idx')
      .on(table.createdAt)
      .where(sql`${table.status} = 'pending'`),
  ],
);

/** The consent ledger: every change of a signup, appended, never rewritten (GDPR Art. 7(1)). */
export const newsletterConsentEvents = pgTable(
  'newsletter_consent_events',
  {
    id: text('id').primaryKey(),
    signupId: text('signup_id')
      .notNull()
      .references(() => newsletterSignups.id, { onDelete: 'cascade' }),
    event: text('event', { enum: consentEvents }).notNull(),
    at: timestamp('at').notNull(),
    policyVersion: text('policy_version'),
    source: text('source'),
    // Salted hash of the client address; erased with the signup.
    ipHash: text('ip_hash'),
  },
  (table) => [index('newsletter_consent_events_signup_idx').on(table.signupId, table.at)],
);
