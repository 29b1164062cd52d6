import { IsOptional, Matches } from 'class-validator';

const POSITIVE_INTEGER = /^[1-9]\d{0,8}$/;

/** Rally's paging, as on the registry's lists: `pagesize` (default 20, at most 200) and 1-based `start`. */
export class BlocklistQueryDto {
  @IsOptional()
  @Matches(POSITIVE_INTEGER, { message: 'pagesize must be a positive integer' })
  pagesize?: string;

  @IsOptional()
  @Matches(POSITIVE_INTEGER, { message: 'start must be a positive integer' })
  start?: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;
