import { timingSafeEqual, createHash } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ErrorCode, HooklineError } from '@hookline/service-kit';
import type { Request } from 'express';
import { MatcherConfig } from '../config/matcher.config';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The internal API is for operators: only the admin key (HOOKLINE_ADMIN_KEY) opens it. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly config: MatcherConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    const expected = this.config.HOOKLINE_ADMIN_KEY;
    // Hashing first gives equal lengths, so the comparison time says nothing about the key.
    if (!expected || !given || !timingSafeEqual(digest(given), digest(expected))) {
      throw new HooklineError(ErrorCode.Unauthenticated, 'A valid admin key is required');
    }
    return true;
  }
}
