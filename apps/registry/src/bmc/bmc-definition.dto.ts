import { Type } from 'class-transformer';
import { ValidateIf, ValidateNested } from 'class-validator';
import type { ClientAuthMethod } from '@hookline/contracts';
import { boolean, booleanText, Check, httpUrl, oneOf, parses, single, text, type Rule } from '../webhook/dto/check';
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
  @Check(text(256)) key: string;
  @Check((value, _object, property) => (typeof value === 'string' ? undefined : `${property} must be a string`))
  value: string;
}

/** `callback.authentication`: the seed's five shapes, checked further when mapped. */
export class BmcAuthenticationDto {
  @Check(oneOf(BMC_AUTHENTICATION_TYPES)) resourceType: string;
  @ValidateIf((_object, value) => value !== undefined)
  @Check((value, _object, property) => (Array.isArray(value) ? undefined : `${property} must be an array`))
  @ValidateNested({ each: true })
  @Type(() => BmcHttpHeaderDto)
  httpHeaders?: BmcHttpHeaderDto[];
  @Check(optional(text(256))) username?: string;
  @Check(optional(text(256))) loginName?: string;
  @Check(optional(text(1_024))) credentials?: string;
  @Check(optional(text(2_048))) loginPath?: string;
  @Check(optional(text(2_048))) tokenPath?: string;
  @Check(optional(text(2_048))) authServerEndpoint?: string;
  @Check(optional(text(2_048))) redirectUri?: string;
  @Check(optional(tokenFetchMechanism)) tokenFetchMechanism?: 0 | 1 | '0' | '1' | null;
  @Check(optional(text(4_096))) accessToken?: string;
}

export class BmcCallbackDto {
  @Check(httpUrl) url: string;
  @Check(optional(stringMap)) headers?: Record<string, string>;
  @Check(optional(payloadFieldIds)) payloadFieldIds?: (string | number)[];
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @ValidateNested()
  @Type(() => BmcAuthenticationDto)
  authentication?: BmcAuthenticationDto | null;
}

export class BmcEventDto {
  @Check(optional(oneOf([BMC_RECORD_EVENT_TYPE]))) resourceType?: string;
  @Check(text(256)) recordDefinitionName: string;
  /** Blank means none, as BMC's condition is optional. */
  @Check(optional((value, object, property) => (value === '' ? undefined : condition(value, object, property))))
  condition?: string | null;
  @Check(recordEvents) recordEvents: BmcRecordEvent[];
}

/** `POST .../webhook/webhookdefinition`: the seed's registration body. */
export class BmcWebhookDefinitionDto {
  @Check(text(256)) name: string;
  @Check(present)
  @ValidateNested()
  @Type(() => BmcEventDto)
  event: BmcEventDto;
  @Check(optional(boolean)) includeAllFields?: boolean;
  @Check(present)
  @ValidateNested()
  @Type(() => BmcCallbackDto)
  callback: BmcCallbackDto;
}

/** `PUT .../webhookdefinition/{name}`: BMC's enable/disable, the one change it allows. */
export class BmcEnableDto {
  @Check(boolean) enabled: boolean;
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
  dataPageType: string;
  /** Default 50, at most 200. */
  @Check(whole(1)) pageSize?: string;
  /** 0-based. */
  @Check(whole(0)) startIndex?: string;
  /** Comma-separated definition names. */
  @Check(single) name?: string;
  @Check(booleanText) isEnabled?: string;
  /** Comma-separated record events: create, update, delete. */
  @Check(parses(parseEvents)) recordEvent?: string;
  @Check(single) recordDefinitionName?: string;
}
