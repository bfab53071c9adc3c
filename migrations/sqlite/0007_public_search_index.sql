-- The public full-text index: only articles a reader can see, so that bm25's statistics (how many
-- rows hold a word, how long rows are) can never reveal words of drafts or scheduled articles.
-- Written by hand: drizzle-kit does not model virtual tables (see src/db/search-index.ts).
-- prefix='3': a prefix query of three letters reads one doclist instead of expanding to every
-- word that starts with them (the shortest prefix search accepts; see src/lib/search-query.ts).
CREATE VIRTUAL TABLE `articles_public_search` USING fts5(
	`headline`,
	`dek`,
	`body_text`,
	tokenize = 'porter unicode61 remove_diacritics 2',
	prefix = '3'
);
--> statement-breakpoint
INSERT INTO `articles_public_search` (`rowid`, `headline`, `dek`, `body_text`)
SELECT `s`.`rowid`, `s`.`headline`, `s`.`dek`, `s`.`body_text`
FROM `articles_search` `s`
JOIN `articles` `a` ON `a`.`search_row_id` = `s`.`rowid`
WHERE `a`.`status` = 'published' AND `a`.`published_at` <= CAST(unixepoch('subsec') * 1000 AS INTEGER);
--> statement-breakpoint
UPDATE `articles` SET `in_public_search` = 1
WHERE `status` = 'published' AND `published_at` <= CAST(unixepoch('subsec') * 1000 AS INTEGER);
