CREATE TABLE `article_documents` (
	`article_id` text PRIMARY KEY NOT NULL,
	`format` integer NOT NULL,
	`summary` text NOT NULL,
	`body` text NOT NULL,
	`etag` text NOT NULL,
	`surrogate_key` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
