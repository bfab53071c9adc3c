CREATE TABLE `collection_items` (
	`collection_id` text NOT NULL,
	`position` integer NOT NULL,
	`article_id` text NOT NULL,
	`headline` text,
	`dek` text,
	`photo_id` text,
	PRIMARY KEY(`collection_id`, `position`),
	FOREIGN KEY (`collection_id`) REFERENCES `collections`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`photo_id`) REFERENCES `photos`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `collection_items_article_idx` ON `collection_items` (`article_id`);--> statement-breakpoint
CREATE INDEX `collection_items_photo_idx` ON `collection_items` (`photo_id`);--> statement-breakpoint
CREATE TABLE `collections` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`language` text NOT NULL,
	`size` integer NOT NULL,
	`backfill` integer DEFAULT false NOT NULL,
	`backfill_tag_ids` text NOT NULL,
	`backfill_author_id` text,
	`backfill_language` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`backfill_author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `collections_slug_unique` ON `collections` (`slug`);