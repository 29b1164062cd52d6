import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { maskSecret, SecretBox, type Principal } from '@hookline/auth';
import { ErrorCode, HooklineError, type FieldProblem } from '@hookline/service-kit';
import { IncomingHooksConfig } from '../config/incoming-hooks.config';
import { DEFAULT_SIGNATURE_HEADERS } from '../hook-receiver/signature';
import { PipelineService } from '../pipeline/pipeline.service';
import type { CreateHookDto, RotateSecretDto, VariableDto } from './dto/hook-request.dto';
import { HookRepository } from './hook.repository';
import type { HookRecord, StoredSecret } from './hook.schema';
import { coerce, parsePath, type VariableDefinition } from './variables';

/** A hook and, right after creation or rotation, its secret in clear (shown that once). */
export interface HookWithSecret {
  hook: HookRecord;
  secret?: string;
}

@Injectable()
export class HookService {
  constructor(
    private readonly hooks: HookRepository,
    private readonly pipelines: PipelineService,
    private readonly box: SecretBox,
    private readonly config: IncomingHooksConfig,
  ) {}

  async create(principal: Principal, pipelineId: string, input: CreateHookDto): Promise<HookWithSecret> {
    await this.pipelines.get(principal, pipelineId);
    const variables = checkVariables(input.settings?.variables ?? []);
    const requiresSecret = input.requires_secret ?? true;
    const algorithm = input.secret_algorithm ?? 'sha256';
    const secret = requiresSecret ? newSecret() : undefined;
    const now = new Date();
    const hook = await this.hooks.insert({
      _id: randomUUID(),
      subscriptionId: principal.subscriptionId,
      pipelineId,
      name: input.name,
      // 256 bits: the URL must not be guessable even for a hook without a secret.
      token: randomBytes(32).toString('base64url'),
      requiresSecret,
      secretAlgorithm: algorithm,
      secretHeaderName: (input.secret_header_name ?? DEFAULT_SIGNATURE_HEADERS[algorithm]).toLowerCase(),
      secret: secret === undefined ? null : this.seal(secret),
      previousSecret: null,
      actionType: input.action_type,
      variables,
      rateLimitPerMinute: input.rate_limit_per_minute ?? null,
      deliveryIdHeaderName: input.delivery_id_header_name?.toLowerCase() ?? null,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      createdBy: principal.keyId,
    });
    return { hook, secret };
  }

  async list(principal: Principal, pipelineId: string): Promise<HookRecord[]> {
    await this.pipelines.get(principal, pipelineId);
    return this.hooks.list(principal.subscriptionId, pipelineId);
  }

  async get(principal: Principal, pipelineId: string, id: string): Promise<HookRecord> {
    const hook = await this.hooks.findById(principal.subscriptionId, pipelineId, id);
    if (!hook) throw HooklineError.notFound(`Hook ${id}`);
    return hook;
  }

  async setDisabled(principal: Principal, pipelineId: string, id: string, disabled: boolean): Promise<HookRecord> {
    const hook = await this.hooks.setDisabled(principal.subscriptionId, pipelineId, id, disabled, new Date());
    if (!hook) throw HooklineError.notFound(`Hook ${id}`);
    return hook;
  }

  async delete(principal: Principal, pipelineId: string, id: string): Promise<void> {
    if (!(await this.hooks.delete(principal.subscriptionId, pipelineId, id)))
      throw HooklineError.notFound(`Hook ${id}`);
  }

  /** A new secret, shown this once; the replaced one keeps verifying for the grace period. */
  async rotateSecret(
    principal: Principal,
    pipelineId: string,
    id: string,
    input: RotateSecretDto,
  ): Promise<HookWithSecret> {
    const hook = await this.get(principal, pipelineId, id);
    if (!hook.requiresSecret || !hook.secret) {
      throw new HooklineError(ErrorCode.Conflict, `Hook ${id} does not require a secret; there is none to rotate`);
    }
    const now = new Date();
    const graceSeconds = input.grace_period_seconds ?? this.config.HOOK_SECRET_GRACE_SECONDS;
    const secret = newSecret();
    const rotated = await this.hooks.rotateSecret(
      principal.subscriptionId,
      pipelineId,
      id,
      hook.secret.encrypted,
      this.seal(secret),
      { encrypted: hook.secret.encrypted, expiresAt: new Date(now.getTime() + graceSeconds * 1000) },
      now,
    );
    if (!rotated)
      throw new HooklineError(ErrorCode.Conflict, `Hook ${id} changed meanwhile (deleted or rotated); try again`);
    return { hook: rotated, secret };
  }

  /** The secrets a signature may use now: the current one, and the previous one within its grace period. */
  secretsOf(hook: HookRecord, now: Date): string[] {
    const secrets = hook.secret ? [this.box.decrypt(hook.secret.encrypted)] : [];
    if (hook.previousSecret && hook.previousSecret.expiresAt > now)
      secrets.push(this.box.decrypt(hook.previousSecret.encrypted));
    return secrets;
  }

  private seal(secret: string): StoredSecret {
    return { encrypted: this.box.encrypt(secret), masked: maskSecret(secret) };
  }
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Rules the DTO cannot say alone: unique names, a parseable path, a default that converts to the
 * type, and a way to get a value at all. Problems name fields as the validation pipe does.
 */
export function checkVariables(input: VariableDto[]): VariableDefinition[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const variables = input.map((variable, index): VariableDefinition => {
    const at = (field: string) => `settings.variables.${index}.${field}`;
    if (seen.has(variable.name))
      problems.push({ field: at('name'), reason: `another variable is named ${variable.name}` });
    seen.add(variable.name);
    if (variable.path !== undefined && !parsePath(variable.path)) {
      problems.push({
        field: at('path'),
        reason: 'must be a dot path with optional [index] parts, e.g. commits[0].id',
      });
    }
    let defaultValue: VariableDefinition['default_value'] = null;
    if (variable.default_value !== undefined && variable.default_value !== null) {
      const scalar = ['string', 'number', 'boolean'].includes(typeof variable.default_value);
      const coerced = scalar ? coerce(variable.default_value, variable.type) : undefined;
      if (coerced?.ok) defaultValue = coerced.value;
      else
        problems.push({ field: at('default_value'), reason: `must be a ${variable.type} (or a string spelling one)` });
    } else if (variable.path === undefined) {
      problems.push({ field: at('path'), reason: 'is required when there is no default_value' });
    }
    return {
      name: variable.name,
      path: variable.path ?? null,
      type: variable.type,
      required: variable.required ?? false,
      default_value: defaultValue,
    };
  });
  if (problems.length > 0) throw HooklineError.validation(problems);
  return variables;
}
