CREATE TABLE `media_deletions` (
	`key` text PRIMARY KEY NOT NULL,
	`due_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `media_deletions_due_at_idx` ON `media_deletions` (`due_at`);