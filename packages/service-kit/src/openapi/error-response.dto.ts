import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblemDto {
  @ApiProperty({ description: 'The request field at fault (a dot path for nested fields).', example: 'TargetUrl' })
  field: string;

  @ApiProperty({
    description: 'What is wrong with it, as a sentence.',
    example: 'TargetUrl must be an absolute http or https URL',
  })
  reason: string;
}

/** The body of every error answer of every service (and of the front door). */
export class ErrorResponseDto {
  @ApiProperty({
    description: 'A stable code, e.g. VALIDATION_FAILED, NOT_FOUND, UNAUTHENTICATED.',
    example: 'VALIDATION_FAILED',
  })
  error: string;

  @ApiProperty({ description: 'What went wrong, for people.', example: 'The request is invalid' })
  message: string;

  @ApiProperty({ type: [FieldProblemDto], description: 'One entry per bad field of a 400; empty otherwise.' })
  details: FieldProblemDto[];

  @ApiPropertyOptional({
    description: 'Given with a 500 or 503; the same id is in the service log line.',
    format: 'uuid',
  })
  correlationId?: string;
}
