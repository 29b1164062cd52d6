import { ApiProperty } from '@nestjs/swagger';
import type { SpaceSessions } from '../session.registry';

export class ListenerResponse {
  @ApiProperty({ description: 'The session id.' }) Id!: string;
  @ApiProperty({ description: 'The API key the listener connected with.' }) KeyId!: string;
  @ApiProperty() RemoteAddress!: string;
  @ApiProperty({ format: 'date-time' }) ConnectedAt!: string;
  @ApiProperty({ type: 'integer', description: 'Deliveries sent and not yet answered.' }) InFlight!: number;
  @ApiProperty({ type: 'integer' }) Answered!: number;
  @ApiProperty({ type: 'integer' }) Failed!: number;
}

export class SpaceSessionsResponse {
  @ApiProperty() SharedSpace!: string;
  @ApiProperty({ type: [ListenerResponse] }) Listeners!: ListenerResponse[];
}

export class SessionsResponse {
  @ApiProperty({ type: [SpaceSessionsResponse] }) Results!: SpaceSessionsResponse[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
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
