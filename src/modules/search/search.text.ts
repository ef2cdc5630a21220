// Pure text helpers shared by indexing and querying.

/** Lower-cased words (letters and digits), as PostgreSQL's `simple` configuration sees them. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The tsquery for corrected terms: a term that is the prefix of a known word matches as a prefix
 * (`headph` → `headph:*`), an unknown one is replaced by its closest known word when there is one.
 */
export function buildTsQuery(terms: { term: string; known: boolean; best: string | null }[]): {
  tsquery: string;
  understood: string;
} {
  const parts: string[] = [];
  const words: string[] = [];
  for (const t of terms) {
    if (t.known) {
      parts.push(`${t.term}:*`);
      words.push(t.term);
    } else if (t.best) {
      parts.push(t.best);
      words.push(t.best);
    } else {
      parts.push(t.term);
      words.push(t.term);
    }
  }
  return { tsquery: parts.join(' & '), understood: words.join(' ') };
}
