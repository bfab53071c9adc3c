-- Full-text index of articles (SQLite FTS5), keyed by articles.search_row_id.
-- Written by hand: drizzle-kit does not model virtual tables (see src/db/search-index.ts).
-- porter + unicode61 with diacritics removed: "roadmaps" finds "roadmap", "Cavusoglu" finds "Çavuşoğlu".
CREATE VIRTUAL TABLE `articles_search` USING fts5(
	`headline`,
	`dek`,
	`body_text`,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
