ALTER TABLE `newsletter_signups` ADD `email_key` text;--> statement-breakpoint
ALTER TABLE `newsletter_signups` ADD `pending_policy_version` text;--> statement-breakpoint
ALTER TABLE `newsletter_signups` ADD `pending_consented_at` integer;--> statement-breakpoint
ALTER TABLE `newsletter_signups` ADD `pending_source` text;--> statement-breakpoint
ALTER TABLE `newsletter_signups` ADD `pending_ip_hash` text;--> statement-breakpoint
CREATE INDEX `newsletter_signups_email_key_idx` ON `newsletter_signups` (`newsletter_id`,`email_key`);--> statement-breakpoint
CREATE INDEX `newsletter_signups_pending_created_idx` ON `newsletter_signups` (`created_at`) WHERE "newsletter_signups"."status" = 'pending';--> statement-breakpoint
-- Existing addresses get their mailbox key: lower-cased, without a +tag (see src/lib/email.ts).
UPDATE `newsletter_signups` SET `email_key` = lower(
	CASE WHEN instr(substr(`email`, 1, instr(`email`, '@') - 1), '+') > 0
		THEN substr(`email`, 1, instr(`email`, '+') - 1) || substr(`email`, instr(`email`, '@'))
		ELSE `email` END
) WHERE `email` IS NOT NULL;
