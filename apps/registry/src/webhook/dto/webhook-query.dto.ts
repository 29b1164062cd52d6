import { ApiPropertyOptional } from '@nestjs/swagger';
import { booleanText, Check, parses, single, text, type Rule } from '../../validation/check';
import { parseEvents, parseOrder } from '../webhook.query';

const positiveInteger: Rule = (value, _object, property) =>
  value === undefined || (typeof value === 'string' && /^[1-9]\d{0,8}$/.test(value))
    ? undefined
    : `${property} must be a positive integer`;

/** `GET /webhook` parameters: Rally's paging and ordering, plus the BMC data-page filters. */
export class WebhookQueryDto {
  @ApiPropertyOptional({ description: 'Ordering: `Name desc`, `Disabled desc,Name`; ascending by default.' })
  @Check(parses(parseOrder))
  order?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 200,
    description: 'Page size, default 20, at most 200.',
  })
  @Check(positiveInteger)
  pagesize?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: '1-based index of the first result.' })
  @Check(positiveInteger)
  start?: string;

  @ApiPropertyOptional({
    maxLength: 256,
    description: 'Search: webhooks whose Name, AppName or TargetUrl contains this text, ignoring case.',
  })
  @Check((value, object, property) => (value === undefined ? undefined : text(256)(value, object, property)))
  query?: string;

  @ApiPropertyOptional({ description: 'Comma-separated webhook names: only these.' })
  @Check(single)
  name?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: '`true`: enabled webhooks only; `false`: disabled ones.',
  })
  @Check(booleanText)
  isEnabled?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated events (`Created,Deleted` or BMC’s `create,delete`): webhooks firing on any of them.',
  })
  @Check(parses(parseEvents))
  event?: string;

  @ApiPropertyOptional({ description: 'Only webhooks listing this object type in ObjectTypes.' })
  @Check(single)
  objectType?: string;
}

/** Paging of the delivery log and failed deliveries. */
export class PageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 200,
    description: 'Page size, default 20, at most 200.',
  })
  @Check(positiveInteger)
  pagesize?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: '1-based index of the first result.' })
  @Check(positiveInteger)
  start?: string;
}
