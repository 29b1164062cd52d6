import { decodeDeliveryJob, payloadOfDeliveryJob, type NewDeliveryJob } from '@hookline/contracts';

/** A DELIVERIES message as its producer made it: the fields, and the body parsed back into `payload`. */
export function readDeliveryJob(data: Uint8Array): NewDeliveryJob {
  const { body, ...fields } = decodeDeliveryJob(data);
  return { ...fields, payload: payloadOfDeliveryJob({ body }) };
}
