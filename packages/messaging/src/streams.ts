import {
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { StreamSpec } from '@hookline/contracts';

/**
 * Creates the stream, or brings an existing one to the declared config. Safe to call from every
 * instance of every service at once: a lost creation race falls back to an update.
 */
export async function declareStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const config = {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: spec.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(spec.maxAgeMs),
    duplicate_window: nanos(spec.duplicateWindowMs),
    ...(spec.maxMsgsPerSubject ? { max_msgs_per_subject: spec.maxMsgsPerSubject } : {}),
  };
  try {
    await jsm.streams.info(spec.name);
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
    try {
      await jsm.streams.add(config);
      return;
    } catch (addErr) {
      // Another instance created it between our info and add.
      if (!(await exists(jsm, spec.name))) throw addErr;
    }
  }
  // Retention cannot change on an existing stream; everything else we declare can.
  const { retention: _retention, storage: _storage, ...updatable } = config;
  await jsm.streams.update(spec.name, updatable);
}

async function exists(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    await jsm.streams.info(name);
    return true;
  } catch {
    return false;
  }
}

export { JetStreamApiCodes };

/** The error classes are not all exported; the API error code is the stable way to tell them apart. */
export function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
