/**
 * A trailer: a `Key: value` line closing a commit message, or given in a reply to a
 * patch. Any key counts, as git interpret-trailers and b4 take them (Signed-off-by,
 * Co-developed-by, Reviewed-by, Tested-by, Link, Fixes, ...), not a closed list.
 */
export interface Trailer {
  /** As git and the kernel spell it: `Reviewed-by`, `Co-developed-by`, `Cc`. */
  key: string;
  /** The value as it goes into a patch: `Name <addr>`, a URL, `<sha> ("subject")`. */
  value: string;
  /** Of a trailer that names a person. */
  name?: string;
  address?: string;
  /** 1-based line in the file it was read from. */
  line?: number;
}

/** `reviewed-BY` as `Reviewed-by`: the first letter upper case, the rest lower, as git writes keys. */
export function trailerKey(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1).toLowerCase();
}

/** Keys that name a person and need a mail address: every `*-by`, and Cc. */
export function isPersonKey(key: string): boolean {
  return /-by$/i.test(key) || /^cc$/i.test(key);
}
