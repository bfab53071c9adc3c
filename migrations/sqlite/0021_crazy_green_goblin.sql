ALTER TABLE `article_documents` ADD `valid_until` integer;--> statement-breakpoint
ALTER TABLE `articles` ADD `translation_group_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `articles_translation_group_language_unique` ON `articles` (`translation_group_id`,`language`);