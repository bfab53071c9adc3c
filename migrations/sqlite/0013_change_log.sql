CREATE TABLE `change_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`keys` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `change_log_at_idx` ON `change_log` (`at`);