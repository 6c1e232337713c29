const MAX_SLUG_LENGTH = 48;

/**
 * An app's model id on the OpenAI-compatible API: its name, lower-cased, accents dropped, and
 * every run of other characters turned into one `-` (`Support Bot (EN)` → `support-bot-en`). A
 * name with no Latin letters or digits becomes `app`. Written here rather than taken from a slug
 * library: the rule is four lines, and the maintained slug packages are ESM-only or transliterate
 * scripts into guesses that would change between their releases — a model id must never change.
 */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug || 'app';
}

/** `slug`, or `slug-2`, `slug-3`… — the first one not in `taken`. */
export function uniqueSlug(slug: string, taken: ReadonlySet<string>): string {
  if (!taken.has(slug)) return slug;
  for (let n = 2; ; n++) {
    const candidate = `${slug}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
