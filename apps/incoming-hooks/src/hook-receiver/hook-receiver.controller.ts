import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { HOOK_URL_PATH } from '../hook/hook-url';
import { HookReceiverService } from './hook-receiver.service';

export type HookCallResponse =
  | { run_id: string; status: 'queued'; duplicate: false }
  /** The delivery id was seen before: no second run was started; `run_id` is the first one's. */
  | { run_id: string; duplicate: true };

export class HookCallAcceptedDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
  @ApiProperty({ enum: [false] }) duplicate!: false;
}

export class HookCallDuplicateDto {
  @ApiProperty({ format: 'uuid', description: 'The run the first call with this delivery id started.' })
  run_id!: string;
  @ApiProperty({ enum: [true] }) duplicate!: true;
}

/** The public hook URL: no API key, the token finds the hook and the HMAC signature authenticates the sender. */
@ApiTags('hook URL')
@Controller(HOOK_URL_PATH)
export class HookReceiverController {
  constructor(private readonly receiver: HookReceiverService) {}

  @Post(':token')
  @HttpCode(202)
  @ApiOperation({ summary: 'Trigger the pipeline: 202 with the run id; 200 for a delivery id seen before' })
  @ApiBody({
    required: false,
    description: 'Any JSON; the hook’s variables are taken from it.',
    schema: { type: 'object' },
  })
  @ApiHeader({
    name: 'X-Hub-Signature-256',
    required: false,
    description: 'HMAC of the body, in the hook’s header and algorithm.',
  })
  @ApiAcceptedResponse({ type: HookCallAcceptedDto })
  @ApiOkResponse({ type: HookCallDuplicateDto })
  async receive(
    @Param('token') token: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<HookCallResponse> {
    // RawHookBody left the exact bytes here; no body at all reads as empty.
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await this.receiver.receive(token, body, req.headers);
    if (!result.replay) return { run_id: result.runId, status: 'queued', duplicate: false };
    res.status(200);
    return { run_id: result.runId, duplicate: true };
  }
}
