import type { TunnelDeliveryReply, TunnelDeliveryRequest } from '@hookline/contracts';

export type DeliveryHandler = (request: TunnelDeliveryRequest) => Promise<TunnelDeliveryReply>;

export interface SpaceSubscription {
  /** Resolves once the NATS server routes the space's requests here. */
  ready: Promise<void>;
  close(): void;
}

/** Port to the transport that brings dispatcher requests for one shared space to this instance. */
export abstract class SpaceSubscriptions {
  abstract open(tenant: string, sharedSpace: string, handle: DeliveryHandler): SpaceSubscription;
}
