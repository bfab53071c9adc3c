CREATE TABLE `instance_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `newsletter_consent_events` (
	`id` text PRIMARY KEY NOT NULL,
	`signup_id` text NOT NULL,
	`event` text NOT NULL,
	`at` integer NOT NULL,
	`policy_version` text,
	`source` text,
	`ip_hash` text,
	FOREIGN KEY (`signup_id`) REFERENCES `newsletter_signups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `newsletter_consent_events_signup_idx` ON `newsletter_consent_events` (`signup_id`,`at`);--> statement-breakpoint
CREATE TABLE `newsletter_signups` (
	`id` text PRIMARY KEY NOT NULL,
	`newsletter_id` text NOT NULL,
	`email` text,
	`status` text NOT NULL,
	`consent_policy_version` text NOT NULL,
	`consented_at` integer NOT NULL,
	`consent_source` text,
	`ip_hash` text,
	`confirmed_at` integer,
	`unsubscribed_at` integer,
	`confirmation_token_hash` text,
	`confirmation_expires_at` integer,
	`last_confirmation_sent_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`newsletter_id`) REFERENCES `newsletters`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `newsletter_signups_newsletter_email_unique` ON `newsletter_signups` (`newsletter_id`,`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `newsletter_signups_confirmation_token_unique` ON `newsletter_signups` (`confirmation_token_hash`);--> statement-breakpoint
CREATE INDEX `newsletter_signups_newsletter_status_idx` ON `newsletter_signups` (`newsletter_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `newsletter_signups_newsletter_created_idx` ON `newsletter_signups` (`newsletter_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `newsletter_signups_last_sent_idx` ON `newsletter_signups` (`last_confirmation_sent_at`);--> statement-breakpoint
CREATE TABLE `newsletters` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`cadence` text NOT NULL,
	`send_day` text,
	`preview_url` text,
	`privacy_policy_version` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `newsletters_slug_unique` ON `newsletters` (`slug`);--> statement-breakpoint
CREATE INDEX `newsletters_active_idx` ON `newsletters` (`active`,`slug`);