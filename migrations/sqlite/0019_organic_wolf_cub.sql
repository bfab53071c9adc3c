CREATE TABLE `article_corrections` (
	`id` text PRIMARY KEY NOT NULL,
	`article_id` text NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`published_at` integer NOT NULL,
	`history` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `article_corrections_article_idx` ON `article_corrections` (`article_id`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `article_corrections_published_idx` ON `article_corrections` (`published_at`,`id`);