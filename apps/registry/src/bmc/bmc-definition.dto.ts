import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ValidateIf, ValidateNested } from 'class-validator';
import type { ClientAuthMethod } from '@hookline/contracts';
import { boolean, booleanText, Check, httpUrl, oneOf, parses, single, text, type Rule } from '../validation/check';
import { condition } from '../webhook/dto/webhook-request.dto';
import { parseEvents } from '../webhook/webhook.query';

/** BMC's record events, in the order BMC lists them. */
export const BMC_RECORD_EVENTS = ['create', 'update', 'delete'] as const;
export type BmcRecordEvent = (typeof BMC_RECORD_EVENTS)[number];

const AUTH_TYPE_PREFIX = 'com.bmc.arsys.rx.services.webapi.domain.';
/** BMC's authentication resource types, all five of the seed's samples. */
export const BMC_AUTHENTICATION_TYPES = [
  `${AUTH_TYPE_PREFIX}BasicAuthenticationType`,
  `${AUTH_TYPE_PREFIX}OAuth2ClientCredentials`,
  `${AUTH_TYPE_PREFIX}NativeAuthenticationType`,
  `${AUTH_TYPE_PREFIX}RSSOAuthenticationType`,
  `${AUTH_TYPE_PREFIX}RemedyAuthenticationType`,
] as const;
export const BMC_BASIC = BMC_AUTHENTICATION_TYPES[0];
export const BMC_OAUTH2 = BMC_AUTHENTICATION_TYPES[1];
export const BMC_NATIVE = BMC_AUTHENTICATION_TYPES[2];
export const BMC_RSSO = BMC_AUTHENTICATION_TYPES[3];
export const BMC_REMEDY = BMC_AUTHENTICATION_TYPES[4];
export const BMC_RECORD_EVENT_TYPE = 'com.bmc.arsys.rx.services.webhook.domain.webhookRecordEvent';

/** OAuth2's `tokenFetchMechanism` by its value: the seed's `0 -> basic auth, 1 -> Form post`. */
export const BMC_TOKEN_FETCH_MECHANISMS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

const optional =
  (rule: Rule): Rule =>
  (value, object, property) =>
    value === undefined || value === null ? undefined : rule(value, object, property);

const recordEvents: Rule = (value, _object, property) =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((e) => (BMC_RECORD_EVENTS as readonly unknown[]).includes(e)) &&
  new Set(value).size === value.length
    ? undefined
    : `${property} must list one or more of ${BMC_RECORD_EVENTS.join(', ')}, each once`;

const payloadFieldIds: Rule = (value, _object, property) =>
  Array.isArray(value) &&
  value.length <= 500 &&
  value.every((id) => (typeof id === 'string' && id.trim() !== '') || (Number.isInteger(id) && (id as number) >= 0))
    ? undefined
    : `${property} must be an array of at most 500 field ids`;

const stringMap: Rule = (value, _object, property) =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? undefined
    : `${property} must be an object of header names to values`;

/** The seed's numbers, or the same as text, as `payloadFieldIds` takes ids either way. */
const tokenFetchMechanism: Rule = (value, _object, property) =>
  value === 0 || value === 1 || value === '0' || value === '1'
    ? undefined
    : `${property} must be 0 (basic auth) or 1 (form post)`;

const present: Rule = (value, _object, property) =>
  typeof value === 'object' && value !== null ? undefined : `${property} is required`;

export class BmcHttpHeaderDto {
  @ApiProperty({ maxLength: 256 })
  @Check(text(256))
  key: string;
  @Check((value, _object, property) => (typeof value === 'string' ? undefined : `${property} must be a string`))
  @ApiProperty()
  value: string;
}

/** `callback.authentication`: the seed's five shapes, checked further when mapped. */
export class BmcAuthenticationDto {
  @ApiProperty({ enum: BMC_AUTHENTICATION_TYPES, description: 'Which of the seed’s five sign-ins.' })
  @Check(oneOf(BMC_AUTHENTICATION_TYPES))
  resourceType: string;
  @ApiPropertyOptional({ type: () => [BmcHttpHeaderDto], description: 'Headers sent with the sign-in.' })
  @ValidateIf((_object, value) => value !== undefined)
  @Check((value, _object, property) => (Array.isArray(value) ? undefined : `${property} must be an array`))
  @ValidateNested({ each: true })
  @Type(() => BmcHttpHeaderDto)
  httpHeaders?: BmcHttpHeaderDto[];
  @ApiPropertyOptional({ maxLength: 256 })
  @Check(optional(text(256)))
  username?: string;
  @ApiPropertyOptional({ maxLength: 256, description: 'RSSO.' })
  @Check(optional(text(256)))
  loginName?: string;
  @ApiPropertyOptional({
    maxLength: 1_024,
    format: 'password',
    description: 'Password or client secret; stored encrypted.',
  })
  @Check(optional(text(1_024)))
  credentials?: string;
  @ApiPropertyOptional({ maxLength: 2_048 })
  @Check(optional(text(2_048)))
  loginPath?: string;
  @ApiPropertyOptional({ maxLength: 2_048, description: 'Absolute, or under authServerEndpoint.' })
  @Check(optional(text(2_048)))
  tokenPath?: string;
  @ApiPropertyOptional({ maxLength: 2_048 })
  @Check(optional(text(2_048)))
  authServerEndpoint?: string;
  @ApiPropertyOptional({ maxLength: 2_048 })
  @Check(optional(text(2_048)))
  redirectUri?: string;
  @ApiPropertyOptional({ enum: [0, 1], nullable: true, description: 'OAuth2: 0 basic auth, 1 form post.' })
  @Check(optional(tokenFetchMechanism))
  tokenFetchMechanism?: 0 | 1 | '0' | '1' | null;
  @ApiPropertyOptional({ maxLength: 4_096, format: 'password', description: 'A fixed token; stored encrypted.' })
  @Check(optional(text(4_096)))
  accessToken?: string;
}

export class BmcCallbackDto {
  @ApiProperty({ format: 'uri', maxLength: 2_048, description: 'Where deliveries are POSTed.' })
  @Check(httpUrl)
  url: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Sent with each delivery.',
  })
  @Check(optional(stringMap))
  headers?: Record<string, string>;
  @ApiPropertyOptional({
    type: 'array',
    maxItems: 500,
    items: { oneOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] },
    description: 'Field ids sent in the payload.',
  })
  @Check(optional(payloadFieldIds))
  payloadFieldIds?: (string | number)[];
  @ApiPropertyOptional({ type: () => BmcAuthenticationDto, nullable: true })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @ValidateNested()
  @Type(() => BmcAuthenticationDto)
  authentication?: BmcAuthenticationDto | null;
}

export class BmcEventDto {
  @ApiPropertyOptional({ enum: [BMC_RECORD_EVENT_TYPE] })
  @Check(optional(oneOf([BMC_RECORD_EVENT_TYPE])))
  resourceType?: string;
  @ApiProperty({ maxLength: 256, description: 'The record definition, e.g. com.example.taskmanager:Task.' })
  @Check(text(256))
  recordDefinitionName: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 4_096,
    description: 'BMC condition; blank means none.',
  })
  @Check(optional((value, object, property) => (value === '' ? undefined : condition(value, object, property))))
  condition?: string | null;
  @ApiProperty({ enum: BMC_RECORD_EVENTS, isArray: true, minItems: 1 })
  @Check(recordEvents)
  recordEvents: BmcRecordEvent[];
}

/** `POST .../webhook/webhookdefinition`: the seed's registration body. */
export class BmcWebhookDefinitionDto {
  @ApiProperty({ maxLength: 256, description: 'Unique per tenant; the definition’s id in the paths.' })
  @Check(text(256))
  name: string;
  @ApiProperty({ type: () => BmcEventDto })
  @Check(present)
  @ValidateNested()
  @Type(() => BmcEventDto)
  event: BmcEventDto;
  @ApiPropertyOptional({ description: 'Send every field of the record.' })
  @Check(optional(boolean))
  includeAllFields?: boolean;
  @ApiProperty({ type: () => BmcCallbackDto })
  @Check(present)
  @ValidateNested()
  @Type(() => BmcCallbackDto)
  callback: BmcCallbackDto;
}

/** `PUT .../webhookdefinition/{name}`: BMC's enable/disable, the one change it allows. */
export class BmcEnableDto {
  @ApiProperty()
  @Check(boolean)
  enabled: boolean;
}

/** The data page type BMC's query names for webhook definitions: the only one served here. */
export const BMC_DEFINITION_PAGE_TYPE = 'com.bmc.arsys.rx.application.webhook.datapage.webhookDefinitionDataPageQuery';

const whole =
  (min: number): Rule =>
  (value, _object, property) =>
    value === undefined || (typeof value === 'string' && /^\d{1,9}$/.test(value) && Number(value) >= min)
      ? undefined
      : `${property} must be an integer of at least ${min}`;

/** `GET .../webhookdefinition/{name}/callbackfaildata`: a page of the definition's failed callbacks. */
export class BmcFailDataQueryDto {
  /** Default 50, at most 200. */
  @Check(whole(1)) pageSize?: string;
  /** 0-based. */
  @Check(whole(0)) startIndex?: string;
}

/** `GET /api/rx/application/datapage`: the seed's data page query parameters. */
export class BmcPageQueryDto {
  @Check((value, _object, property) =>
    value === BMC_DEFINITION_PAGE_TYPE ? undefined : `${property} must be ${BMC_DEFINITION_PAGE_TYPE}`,
  )
  @ApiProperty({ enum: [BMC_DEFINITION_PAGE_TYPE] })
  dataPageType: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, description: 'Default 50, at most 200.' })
  @Check(whole(1))
  pageSize?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: '0-based.' })
  @Check(whole(0))
  startIndex?: string;
  @ApiPropertyOptional({ description: 'Comma-separated definition names.' })
  @Check(single)
  name?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @Check(booleanText)
  isEnabled?: string;
  @ApiPropertyOptional({ description: 'Comma-separated record events: create, update, delete.' })
  @Check(parses(parseEvents))
  recordEvent?: string;
  @ApiPropertyOptional({ description: 'Only definitions of this record definition.' })
  @Check(single)
  recordDefinitionName?: string;
}
