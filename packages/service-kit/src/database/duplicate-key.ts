/** MongoDB's (and FerretDB's) code for a write refused by a unique index, `_id` included. */
const DUPLICATE_KEY = 11000;

/** True when a write failed because a document with the same unique key is already stored. */
export function isDuplicateKeyError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}
