-- Every article's text is in exactly one full-text index: articles_public_search while a reader
-- can see it, articles_search (the editors' own) otherwise. Editors search both. An edit of a
-- published article then re-indexes its text once, not twice.
DELETE FROM `articles_search`
WHERE `rowid` IN (SELECT `search_row_id` FROM `articles` WHERE `in_public_search` = 1);
