import type { SpaceSessions } from '../session.registry';

export interface ListenerResponse {
  Id: string;
  KeyId: string;
  RemoteAddress: string;
  ConnectedAt: string;
  InFlight: number;
  Answered: number;
  Failed: number;
}

export interface SpaceSessionsResponse {
  SharedSpace: string;
  Listeners: ListenerResponse[];
}

export interface SessionsResponse {
  Results: SpaceSessionsResponse[];
  TotalResultCount: number;
}

export function toSessionsResponse(spaces: SpaceSessions[]): SessionsResponse {
  return {
    Results: spaces.map((space) => ({
      SharedSpace: space.sharedSpace,
      Listeners: space.listeners.map((listener) => ({
        Id: listener.id,
        KeyId: listener.keyId,
        RemoteAddress: listener.remoteAddress,
        ConnectedAt: listener.connectedAt.toISOString(),
        InFlight: listener.inFlight,
        Answered: listener.answered,
        Failed: listener.failed,
      })),
    })),
    TotalResultCount: spaces.length,
  };
}
