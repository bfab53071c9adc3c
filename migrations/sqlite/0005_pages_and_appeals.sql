CREATE TABLE `appeals` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`placement` text NOT NULL,
	`heading` text NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`frequencies` text NOT NULL,
	`cta_label` text NOT NULL,
	`cta_url` text NOT NULL,
	`dismiss_label` text NOT NULL,
	`remind_after_days` integer NOT NULL,
	`payment_methods` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer,
	`priority` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `appeals_placement_idx` ON `appeals` (`placement`,`active`,`priority`,`starts_at`);--> statement-breakpoint
CREATE TABLE `page_versions` (
	`page_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`page_id`, `version`),
	FOREIGN KEY (`page_id`) REFERENCES `pages`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `pages` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`published_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pages_slug_unique` ON `pages` (`slug`);