import { isUtf8 } from 'node:buffer';
import { Injectable } from '@nestjs/common';
import { ErrorCode, HooklineError, jsonBodyProblem } from '@hookline/service-kit';
import { IncomingHooksConfig } from '../config/incoming-hooks.config';
import { HookRepository } from '../hook/hook.repository';
import type { HookRecord } from '../hook/hook.schema';
import { HookService } from '../hook/hook.service';
import { extractVariables } from '../hook/variables';
import { RunService, type TriggerResult } from '../run/run.service';
import { RateLimitRepository } from './rate-limit.repository';
import { signatureMatches } from './signature';

export type RequestHeaders = Record<string, string | string[] | undefined>;

const WINDOW_MS = 60_000;

/** What happens when a sender calls a hook URL, in the order the checks must run. */
@Injectable()
export class HookReceiverService {
  private readonly deliveryIdHeaders: string[];
  private readonly rateLimitDefault: number;
  private readonly maxDepth: number;

  constructor(
    private readonly hooks: HookRepository,
    private readonly hookService: HookService,
    private readonly runs: RunService,
    private readonly rateLimits: RateLimitRepository,
    config: IncomingHooksConfig,
  ) {
    this.rateLimitDefault = config.HOOK_RATE_LIMIT_PER_MINUTE;
    this.deliveryIdHeaders = config.DELIVERY_ID_HEADERS.split(',');
    this.maxDepth = config.HTTP_BODY_MAX_DEPTH;
  }

  async receive(token: string, body: Buffer, headers: RequestHeaders): Promise<TriggerResult> {
    const now = new Date();
    const hook = await this.hooks.findByToken(token);
    if (!hook || hook.disabled) throw HooklineError.notFound('Hook');
    if (hook.requiresSecret) this.verify(hook, body, headers, now);
    // After the signature: unsigned floods must not use up the real sender's allowance.
    await this.takeRateLimit(hook, now);
    const payload = parseJson(body, this.maxDepth);
    const extraction = extractVariables(hook.variables, payload);
    if (!extraction.ok) {
      throw new HooklineError(
        ErrorCode.Unprocessable,
        `The payload does not give the variables: ${extraction.problems.map((p) => p.variable).join(', ')}`,
        extraction.problems.map((p) => ({ field: p.variable, reason: p.reason })),
      );
    }
    return this.runs.trigger(hook, extraction.variables, this.deliveryIdOf(hook, headers), now);
  }

  private verify(hook: HookRecord, body: Buffer, headers: RequestHeaders, now: Date): void {
    const header = single(headers[hook.secretHeaderName]);
    if (header === undefined) {
      throw new HooklineError(ErrorCode.Unauthenticated, `Missing signature header ${hook.secretHeaderName}`);
    }
    if (!signatureMatches(header, hook.secretAlgorithm, this.hookService.secretsOf(hook, now), body)) {
      throw new HooklineError(
        ErrorCode.Unauthenticated,
        `The ${hook.secretHeaderName} signature does not match the body`,
      );
    }
  }

  private async takeRateLimit(hook: HookRecord, now: Date): Promise<void> {
    const limit = hook.rateLimitPerMinute ?? this.rateLimitDefault;
    const windowStart = Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS;
    const windowEnd = windowStart + WINDOW_MS;
    const count = await this.rateLimits.hit(hook._id, windowStart, new Date(windowEnd + WINDOW_MS));
    if (count > limit) {
      const retryAfter = Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000));
      throw new HooklineError(ErrorCode.RateLimited, `This hook accepts ${limit} calls a minute`, [], {
        'Retry-After': String(retryAfter),
      });
    }
  }

  private deliveryIdOf(hook: HookRecord, headers: RequestHeaders): string | undefined {
    const names = hook.deliveryIdHeaderName
      ? [hook.deliveryIdHeaderName, ...this.deliveryIdHeaders]
      : this.deliveryIdHeaders;
    for (const name of names) {
      const value = single(headers[name])?.trim();
      if (value) return value.slice(0, 200);
    }
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The signed bytes as JSON, held to the rules every other body meets (service-kit's request-body.ts). */
function parseJson(body: Buffer, maxDepth: number): unknown {
  if (!isUtf8(body))
    throw HooklineError.validation(
      [{ field: 'body', reason: 'is not valid UTF-8' }],
      'The request body is not valid JSON',
    );
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw HooklineError.validation([{ field: 'body', reason: 'must be JSON' }], 'The request body is not valid JSON');
  }
  const problem = jsonBodyProblem(payload, maxDepth);
  if (problem) throw HooklineError.validation([problem], 'The request body is not acceptable JSON');
  return payload;
}
