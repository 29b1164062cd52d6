import { Injectable } from '@nestjs/common';
import type { Principal } from '@hookline/auth';
import { ErrorCode, fieldProblems, HooklineError } from '@hookline/service-kit';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateWebhookDto, UpdateWebhookDto } from '../webhook/dto/webhook-request.dto';
import type { FailedDeliveryRecord } from '../delivery-log/delivery-log.schema';
import type { WebhookRecord } from '../webhook/webhook.schema';
import { WebhookService, type Paged } from '../webhook/webhook.service';
import type { BmcFailDataQueryDto, BmcPageQueryDto, BmcWebhookDefinitionDto } from './bmc-definition.dto';
import { inBmcTerms, webhookBodyOf } from './bmc.mapping';

/** BMC's page size when the query names none. */
const DEFAULT_PAGE_SIZE = 50;

/** BMC's webhook definitions, addressed by name, as Hookline webhooks (see bmc.mapping.ts). */
@Injectable()
export class BmcService {
  constructor(private readonly webhooks: WebhookService) {}

  /** Registers a definition; a name already taken in the tenant is a conflict, as BMC's names are its keys. */
  /** `refBase`: the webhook collection's absolute URL, for the `_ref` of the payloads' rule. */
  async register(
    principal: Principal,
    dto: BmcWebhookDefinitionDto,
    refBase: string,
  ): Promise<{ webhook: WebhookRecord; signingSecret: string }> {
    if (dto.name.includes(','))
      throw HooklineError.validation([
        { field: 'name', reason: 'name must not contain a comma (the data page query lists names with commas)' },
      ]);
    const { body, problems } = webhookBodyOf(dto);
    const create = plainToInstance(CreateWebhookDto, body);
    const invalid = [...problems, ...fieldProblems(validateSync(create)).map(inBmcTerms)];
    if (invalid.length > 0) throw HooklineError.validation(invalid);
    if ((await this.named(principal, dto.name)).total > 0)
      throw new HooklineError(ErrorCode.Conflict, `A webhook definition named "${dto.name}" already exists`, [
        { field: 'name', reason: 'is taken: deregister that definition first (BMC definitions cannot be updated)' },
      ]);
    try {
      return await this.webhooks.create(principal, create, refBase);
    } catch (err) {
      if (err instanceof HooklineError && err.details.length > 0)
        throw new HooklineError(err.code, err.message, err.details.map(inBmcTerms), err.headers);
      throw err;
    }
  }

  async get(principal: Principal, name: string): Promise<WebhookRecord> {
    const found = await this.named(principal, name);
    if (found.total === 0) throw HooklineError.notFound(`Webhook definition "${name}"`);
    if (found.total > 1)
      throw new HooklineError(
        ErrorCode.Conflict,
        `${found.total} webhooks are named "${name}"; address them by id under /api/v2/webhook/{id}`,
      );
    return found.items[0]!;
  }

  async deregister(principal: Principal, name: string): Promise<void> {
    await this.webhooks.remove(principal, (await this.get(principal, name))._id);
  }

  async setEnabled(principal: Principal, name: string, enabled: boolean, refBase: string): Promise<WebhookRecord> {
    const webhook = await this.get(principal, name);
    const body = plainToInstance(UpdateWebhookDto, { Disabled: !enabled });
    return this.webhooks.update(principal, webhook._id, body, refBase);
  }

  /** The definition's "Webhook Callback Fail Data": its failed callbacks, newest first, BMC-paged. */
  async failData(
    principal: Principal,
    name: string,
    query: BmcFailDataQueryDto,
  ): Promise<{ webhook: WebhookRecord; page: Paged<FailedDeliveryRecord> }> {
    const webhook = await this.get(principal, name);
    const page = await this.webhooks.failedDeliveries(principal, webhook._id, {
      pagesize: query.pageSize ?? String(DEFAULT_PAGE_SIZE),
      start: String(Number(query.startIndex ?? '0') + 1),
    });
    return { webhook, page };
  }

  /** BMC's data page: `startIndex` counts from 0; the filters are the ones GET /api/v2/webhook has. */
  async page(principal: Principal, query: BmcPageQueryDto): Promise<Paged<WebhookRecord>> {
    return this.webhooks.query(principal, {
      pagesize: query.pageSize ?? String(DEFAULT_PAGE_SIZE),
      start: String(Number(query.startIndex ?? '0') + 1),
      ...(query.name !== undefined && { name: query.name }),
      ...(query.isEnabled !== undefined && { isEnabled: query.isEnabled }),
      ...(query.recordEvent !== undefined && { event: query.recordEvent }),
      ...(query.recordDefinitionName !== undefined && { objectType: query.recordDefinitionName }),
    });
  }

  private named(principal: Principal, name: string): Promise<Paged<WebhookRecord>> {
    return this.webhooks.query(principal, { name, pagesize: '2' });
  }
}
