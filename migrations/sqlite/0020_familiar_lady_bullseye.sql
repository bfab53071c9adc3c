ALTER TABLE `articles` ADD `embargo_until` integer;--> statement-breakpoint
ALTER TABLE `articles` ADD `embargo_source` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `embargo_note` text;