import { HooklineError } from '@hookline/service-kit';

/** Who asked: the subscription whose id is the last token of the request's subject. */
export interface RequestTenant {
  tenant: string;
  subscriptionId: number;
}

/** The reply to a refused request: the HTTP error body's shape. */
export interface RequestErrorReply {
  error: string;
  message?: string;
  details: { field: string; reason: string }[];
}

/**
 * The tenant of a request on a `<prefix>.<subscriptionId>` subject (ingest, run state); a subject
 * without a positive numeric id is refused with the same field-named error as HTTP.
 */
export function requestTenant(subject: string): RequestTenant {
  const tenant = subject.split('.').at(-1) ?? '';
  const subscriptionId = Number(tenant);
  if (!Number.isSafeInteger(subscriptionId) || subscriptionId < 1 || String(subscriptionId) !== tenant) {
    throw HooklineError.validation([{ field: 'subject', reason: 'must end with a positive numeric subscription id' }]);
  }
  return { tenant, subscriptionId };
}
