import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { raw } from 'express';
import { IncomingHooksConfig } from '../config/incoming-hooks.config';
import { HOOK_URL_PATH } from '../hook/hook-url';

/**
 * Makes hook URLs receive their body as the exact bytes, unparsed: the signature is checked over
 * those bytes before anything reads them, and a non-JSON body from an unsigned caller gets 401, not
 * a parser's 400. It registers in its constructor because providers are built inside
 * NestFactory.create, before the shared bootstrap adds the global JSON parser, and Express runs
 * middleware in registration order; that parser then sees a consumed body and skips it.
 */
@Injectable()
export class RawHookBody {
  constructor(adapterHost: HttpAdapterHost, config: IncomingHooksConfig) {
    adapterHost.httpAdapter.use(
      `/${HOOK_URL_PATH}`,
      // Any content type: senders label JSON in many ways, and the bytes are what get verified.
      // No inflating: the signature covers the bytes as sent.
      raw({ type: () => true, limit: config.HOOK_BODY_LIMIT, inflate: false }),
    );
  }
}
