import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  BMC_AUTHENTICATION_TYPES,
  BMC_RECORD_EVENT_TYPE,
  BMC_RECORD_EVENTS,
  type BmcRecordEvent,
} from './bmc-definition.dto';
import type { BmcDefinitionView, BmcFailData } from './bmc.mapping';

type View = BmcDefinitionView;
type EventView = View['event'];
type CallbackView = View['callback'];
type AuthenticationView = NonNullable<CallbackView['authentication']>;

export class BmcEventViewDto implements EventView {
  @ApiProperty({ enum: [BMC_RECORD_EVENT_TYPE] }) resourceType!: string;
  @ApiProperty({ type: String, nullable: true }) recordDefinitionName!: string | null;
  @ApiProperty({ type: String, nullable: true }) condition!: string | null;
  @ApiProperty({ enum: BMC_RECORD_EVENTS, isArray: true }) recordEvents!: BmcRecordEvent[];
}

/** The sign-in, without credentials or tokens. */
export class BmcAuthenticationViewDto implements AuthenticationView {
  @ApiProperty({ enum: BMC_AUTHENTICATION_TYPES }) resourceType!: string;
  @ApiPropertyOptional() username?: string;
  @ApiPropertyOptional() loginName?: string;
  @ApiPropertyOptional() loginPath?: string;
  @ApiPropertyOptional() tokenPath?: string;
  @ApiPropertyOptional({ enum: [0, 1] }) tokenFetchMechanism?: number;
}

export class BmcCallbackViewDto implements CallbackView {
  @ApiProperty({ format: 'uri' }) url!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Values masked.' })
  headers!: Record<string, string>;
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    description: 'As registered: field ids stay numbers.',
  })
  payloadFieldIds!: (string | number)[];
  @ApiProperty({ type: BmcAuthenticationViewDto, nullable: true }) authentication!: BmcAuthenticationViewDto | null;
}

export class BmcDefinitionViewDto implements View {
  @ApiProperty() name!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: BmcEventViewDto }) event!: BmcEventViewDto;
  @ApiProperty() includeAllFields!: boolean;
  @ApiProperty({ type: BmcCallbackViewDto }) callback!: BmcCallbackViewDto;
  @ApiProperty({ format: 'uuid', description: 'Hookline’s webhook id: the same webhook under /api/v2/webhook/{id}.' })
  id!: string;
}

export class BmcRegisteredDto extends BmcDefinitionViewDto {
  @ApiProperty({ description: 'Hookline’s signing secret for the deliveries, shown this once.' })
  signingSecret!: string;
}

export class BmcDataPageDto {
  @ApiProperty({ type: 'integer' }) totalSize!: number;
  @ApiProperty({ type: [BmcDefinitionViewDto] }) data!: BmcDefinitionViewDto[];
}

/** One failed callback, as BMC's "Webhook Callback Fail Data" record has it. */
export class BmcFailDataDto implements BmcFailData {
  @ApiProperty({ description: 'The delivery id, also under /api/v2/webhook/{id}/failed.' }) id!: string;
  @ApiProperty() webhookDefinitionName!: string;
  @ApiProperty({ type: String, nullable: true }) recordDefinitionName!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The payload as sent.' })
  payload!: Record<string, unknown> | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Null when no answer came.' })
  responseCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) failedAt!: string;
  @ApiProperty({ description: 'Sent once more after the receiver answered again.' }) processedOnceMore!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastProcessedAt!: string | null;
}

export class BmcFailDataPageDto {
  @ApiProperty({ type: 'integer' }) totalSize!: number;
  @ApiProperty({ type: [BmcFailDataDto] }) data!: BmcFailDataDto[];
}
