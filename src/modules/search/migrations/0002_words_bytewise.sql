-- emporium:no-transaction
-- Prefix probes of the word list: the first word at or after a term, in bytewise order, starts with the term when
-- any word does. The primary key's index follows the database collation, where that range is not contiguous.
create index concurrently if not exists words_bytewise_idx on search.words (word collate "C");
