import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DELIVERY_ERROR_KINDS,
  type DeliveryErrorKind,
  type OutcomeKind,
  type WebhookRetryPolicyView,
  type WebhookView,
} from '@hookline/contracts';
import { COMMUNICATION_METHODS, DIALECTS, OPERATORS, PAYLOAD_FORMATS, WEBHOOK_EVENTS } from '../webhook.rules';

/**
 * The documented shapes of the webhook API's answers. Each class implements the type its
 * `toResponse` function returns, so the compiler keeps the document and the answers in step.
 */
const EVENTS = [...WEBHOOK_EVENTS];
const OUTCOMES: OutcomeKind[] = ['success', 'retry', 'failed', 'gone', 'held'];

export class ExpressionResponseDto {
  @ApiProperty({ type: String, nullable: true, description: 'Attribute UUID (Rally); null when named.' })
  AttributeID!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Attribute name; null when given by id.' })
  AttributeName!: string | null;

  @ApiProperty({ enum: OPERATORS, description: 'One of the 13 Rally operators.' })
  Operator!: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: {} }],
    nullable: true,
    description: 'The value compared with: a string, number, boolean or a list; null for exists/!exists.',
  })
  Value?: unknown;
}

export class TriggerResponseDto {
  @ApiProperty({ description: 'Object type (ChangeGear module).', example: 'Incident' })
  ObjectType!: string;

  @ApiProperty({ enum: EVENTS })
  Event!: 'Created' | 'Updated' | 'Deleted';
}

export class RetryPolicyResponseDto implements WebhookRetryPolicyView {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10, description: 'Retries after the first attempt.' })
  MaxRetries!: number;

  @ApiProperty({ type: 'integer', description: 'Delay before the first retry, in ms.' })
  InitialDelayMs!: number;

  @ApiProperty({ description: 'Each retry waits this many times longer than the one before.' })
  BackoffMultiplier!: number;

  @ApiProperty({ type: 'integer', isArray: true, description: 'HTTP statuses that are retried.' })
  RetryOnStatus!: number[];
}

/** Credentials as shown: every secret masked. */
/** Credentials as shown: every secret masked; only the fields of its Type are present. */
export class AuthenticationResponseDto {
  @ApiProperty({ enum: ['Basic', 'OAuth2ClientCredentials', 'SignIn', 'Token'] })
  Type!: string;

  @ApiPropertyOptional({ type: String, nullable: true }) Username!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Masked.' }) Password!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) Flow!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) SignInUrl!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) Scheme!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Masked.' }) Token!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) TokenUrl!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) ClientId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Masked.' }) ClientSecret!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) Scope!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) ClientAuthMethod!: string | null;
  [field: string]: string | null;
}

export class WebhookResponseDto implements WebhookView {
  @ApiProperty({ description: 'Name of the integrating application.' }) AppName!: string;
  @ApiProperty({ description: 'URL of the integrating application.' }) AppUrl!: string;
  @ApiProperty() Name!: string;
  @ApiProperty({ format: 'uri', description: 'Where deliveries are POSTed.' }) TargetUrl!: string;
  @ApiProperty({ type: [String], description: 'Object types the webhook fires for; empty means all.' })
  ObjectTypes!: string[];
  @ApiProperty({ type: [ExpressionResponseDto], description: 'All must hold for a change to match (AND).' })
  Expressions!: ExpressionResponseDto[];
  @ApiProperty({ type: String, nullable: true }) CreatedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) CreationDate!: string;
  @ApiProperty() Disabled!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Sent back in X-Hookline-Security (Rally).' })
  Security!: string | null;
  @ApiProperty({ format: 'date-time' }) LastUpdateDate!: string;
  @ApiProperty({ format: 'uuid', description: 'The webhook id.' }) ObjectUUID!: string;
  @ApiProperty({ format: 'uuid' }) OwnerID!: string;
  @ApiProperty({ type: 'integer', description: 'The tenant.' }) SubscriptionID!: number;
  @ApiProperty({ type: 'integer' }) _objectVersion!: number;
  @ApiProperty({ format: 'uri', description: 'Absolute URL of this webhook on the public origin.' }) _ref!: string;
  @ApiProperty({ enum: ['webhook'] }) _type!: 'webhook';
  @ApiProperty({ type: 'integer', nullable: true, description: 'Null until the webhook has fired.' })
  FireCount!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Null until the webhook has fired.' })
  ErrorCount!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) LastStatus!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'In ms.' }) LastWebhookResponseTime!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) LastSuccess!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) LastFailure!: string | null;
  @ApiProperty({ enum: EVENTS, isArray: true }) Events!: ('Created' | 'Updated' | 'Deleted')[];
  @ApiPropertyOptional({ type: [TriggerResponseDto] }) Triggers?: TriggerResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'BMC condition expression.' }) Condition!: string | null;
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    description: 'Extra fields sent in the payload, as registered (BMC field ids stay numbers).',
  })
  Fields!: (string | number)[];
  @ApiProperty() IncludeAllFields!: boolean;
  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS }) PayloadFormat?: 'rally' | 'record' | 'ticket';
  @ApiProperty({
    enum: DIALECTS,
    nullable: true,
    description: 'The product whose defaults it took; null for webhooks stored before dialects.',
  })
  Dialect!: (typeof DIALECTS)[number] | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Headers sent with each delivery; values masked.',
  })
  Headers!: Record<string, string>;
  @ApiProperty({ type: AuthenticationResponseDto, nullable: true }) Authentication!: AuthenticationResponseDto | null;
  @ApiProperty({ enum: COMMUNICATION_METHODS }) CommunicationMethod!: 'http' | 'websocket';
  @ApiProperty({ type: String, nullable: true, description: 'Shared space of a websocket webhook.' })
  SharedSpace!: string | null;
  @ApiProperty({ type: RetryPolicyResponseDto }) RetryPolicy!: RetryPolicyResponseDto;
  @ApiProperty({ description: 'Masked, except in the answers to create and rotate, which show it once.' })
  SigningSecret!: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookResponseDto] }) Results!: WebhookResponseDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
  @ApiProperty({ type: 'integer' }) PageSize!: number;
  @ApiProperty({ type: 'integer', description: '1-based index of the first result.' }) StartIndex!: number;
}

const HEADERS = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class AttemptRequestDto {
  @ApiProperty({ description: 'The URL the attempt was sent to.' }) Url!: string;
  @ApiProperty({
    ...HEADERS,
    description:
      'Every header sent, names lower-cased; credentials, the signature and the webhook’s own values masked.',
  })
  Headers!: Record<string, string>;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The start of the body sent (2,048 characters at most); null when the dispatcher keeps no body for the attempt (a success, unless its DELIVERY_LOG_BODIES is `all`).',
  })
  BodyExcerpt!: string | null;
}

export class AttemptReceiverResponseDto {
  @ApiProperty({ ...HEADERS, description: 'The receiver’s response headers, names lower-cased.' })
  Headers!: Record<string, string>;
  @ApiProperty({ description: 'The start of the response body (2,048 characters at most).' }) BodyExcerpt!: string;
}

export class AttemptResponseDto {
  @ApiProperty({ description: 'The delivery, the same on every attempt (webhook-id header).', example: 'msg_2b0e…' })
  DeliveryID!: string;
  @ApiProperty({ type: 'integer', description: '1 for the first try.' }) Attempt!: number;
  @ApiProperty({ format: 'date-time' }) Time!: string;
  @ApiProperty({ enum: OUTCOMES }) Outcome!: OutcomeKind;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The receiver’s HTTP status.' }) Status!: number | null;
  @ApiProperty({ type: 'integer' }) LatencyMs!: number;
  @ApiProperty({ type: String, nullable: true }) Error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The OpenTelemetry trace id; null when tracing was off.' })
  TraceID!: string | null;
  @ApiProperty({ enum: DELIVERY_ERROR_KINDS, nullable: true, description: 'The class of Error; null on success.' })
  ErrorKind!: DeliveryErrorKind | null;
  @ApiProperty({
    type: AttemptRequestDto,
    nullable: true,
    description:
      'What was sent; null when the attempt sent nothing (refused target, held) or was logged before requests were kept.',
  })
  Request!: AttemptRequestDto | null;
  @ApiProperty({
    type: AttemptReceiverResponseDto,
    nullable: true,
    description: 'The receiver’s answer; null when none arrived.',
  })
  Response!: AttemptReceiverResponseDto | null;
}

export class AttemptPageDto {
  @ApiProperty({ type: [AttemptResponseDto] }) Results!: AttemptResponseDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
  @ApiProperty({ type: 'integer' }) PageSize!: number;
  @ApiProperty({ type: 'integer' }) StartIndex!: number;
}

export class FailedDeliveryResponseDto {
  @ApiProperty({ description: 'The delivery, the same on every attempt (webhook-id header).', example: 'msg_2b0e…' })
  DeliveryID!: string;
  @ApiProperty({ type: String, nullable: true }) MessageID!: string | null;
  @ApiProperty({ format: 'date-time' }) FailedAt!: string;
  @ApiProperty({ type: 'integer', nullable: true }) LastStatus!: number | null;
  @ApiProperty({ type: 'integer' }) Attempts!: number;
  @ApiProperty({ type: String, nullable: true }) Error!: string | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The payload that failed.' })
  Payload!: Record<string, unknown> | null;
  @ApiProperty({ type: 'integer' }) ReplayCount!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) LastReplayAt!: string | null;
}

export class FailedDeliveryPageDto {
  @ApiProperty({ type: [FailedDeliveryResponseDto] }) Results!: FailedDeliveryResponseDto[];
  @ApiProperty({ type: 'integer' }) TotalResultCount!: number;
  @ApiProperty({ type: 'integer' }) PageSize!: number;
  @ApiProperty({ type: 'integer' }) StartIndex!: number;
}

export class TestDeliveryResponseDto {
  @ApiProperty({ description: 'The delivery, the same on every attempt (webhook-id header).', example: 'msg_2b0e…' })
  DeliveryID!: string;
  @ApiProperty({ enum: OUTCOMES }) Outcome!: string;
  @ApiProperty({ type: 'integer', nullable: true }) Status!: number | null;
  @ApiProperty({ type: 'integer' }) LatencyMs!: number;
  @ApiProperty({ type: String, nullable: true, description: 'The start of the receiver’s answer.' })
  ResponseExcerpt!: string | null;
  @ApiProperty({ type: String, nullable: true }) Error!: string | null;
}

export class ReplayResponseDto {
  @ApiProperty({ description: 'The new delivery.' }) DeliveryID!: string;
}
