import type { Model } from 'mongoose';

/** MongoDB's (and FerretDB's) code for a write refused by a unique index, `_id` included. */
const DUPLICATE_KEY = 11000;

/** True when a write failed because a document with the same unique key is already stored. */
export function isDuplicateKeyError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

interface WriteErrorLike {
  index: number;
  code?: unknown;
}

/**
 * Inserts the documents in one unordered insert, skipping those whose key is stored already, and
 * returns the indexes of the skipped ones. Any other failure is thrown. The documents go to the
 * driver as they are (no schema defaults or casting), so they must be complete.
 */
export async function insertNew<T>(model: Model<T>, documents: object[]): Promise<Set<number>> {
  if (documents.length === 0) return new Set();
  try {
    await model.collection.insertMany(documents, { ordered: false });
    return new Set();
  } catch (err) {
    const writeErrors = (err as { writeErrors?: WriteErrorLike | WriteErrorLike[] }).writeErrors;
    const errors: WriteErrorLike[] = writeErrors === undefined ? [] : ([] as WriteErrorLike[]).concat(writeErrors);
    if (errors.length === 0 || errors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
    return new Set(errors.map((e) => e.index));
  }
}
