import {
  Anchor,
  Badge,
  Button,
  Group,
  Pagination,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ListTable } from '../../components/ListTable';
import { QueryState } from '../../components/QueryState';
import type { Webhook } from '../../lib/api';
import { formatTime, orderParam, pageCount, startOf } from '../../lib/format';
import { useSession } from '../../lib/session';
import { DeleteWebhook } from './DeleteWebhook';
import { useSetDisabled, useWebhooks } from './queries';
import { usePageTitle } from '../../lib/page-title';

const PAGE_SIZE = 20;
const COLUMNS = [
  { field: 'Name', label: 'Name' },
  { field: 'TargetUrl', label: 'Target URL' },
  { field: 'Disabled', label: 'State' },
  { field: 'FireCount', label: 'Fired' },
  { field: 'ErrorCount', label: 'Errors' },
  { field: 'LastStatus', label: 'Last status' },
  { field: 'LastUpdateDate', label: 'Updated' },
] as const;

/** Paging, order and search live in the URL, so a page survives a reload or a new sign-in. */
export function WebhooksPage() {
  usePageTitle('Webhooks');
  const { can } = useSession();
  const writer = can('admin', 'integration');
  const [params, setParams] = useSearchParams();
  const page = Number(params.get('page') ?? '1');
  const sort = params.get('sort') ?? 'Name';
  const descending = params.get('desc') === '1';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [query] = useDebouncedValue(search.trim(), 300);

  const update = (changes: Record<string, string | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [k, v] of Object.entries(changes))
        if (v === null) next.delete(k);
        else next.set(k, v);
      return next;
    });

  useEffect(() => {
    if ((params.get('q') ?? '') !== query) update({ q: query || null, page: null });
    // Only the debounced search text drives this; `params` changes with every other control too.
  }, [query]);

  const webhooks = useWebhooks({
    pagesize: PAGE_SIZE,
    start: startOf(page, PAGE_SIZE),
    order: orderParam(sort, descending),
    query: query || undefined,
  });
  const setDisabled = useSetDisabled();

  const cells: Record<(typeof COLUMNS)[number]['field'], (w: Webhook) => ReactNode> = {
    Name: (w) => (
      <Anchor component={Link} to={`/webhooks/${w.ObjectUUID}`}>
        {w.Name}
      </Anchor>
    ),
    TargetUrl: (w) => w.TargetUrl,
    Disabled: (w) =>
      writer ? (
        <Switch
          checked={!w.Disabled}
          label={w.Disabled ? 'Disabled' : 'Enabled'}
          aria-label={`${w.Name} enabled`}
          onChange={(e) => setDisabled.mutate({ id: w.ObjectUUID, disabled: !e.currentTarget.checked })}
        />
      ) : (
        <Badge color={w.Disabled ? 'gray' : 'green'}>{w.Disabled ? 'Disabled' : 'Enabled'}</Badge>
      ),
    FireCount: (w) => w.FireCount ?? 0,
    ErrorCount: (w) => w.ErrorCount ?? 0,
    LastStatus: (w) => w.LastStatus ?? '—',
    LastUpdateDate: (w) => formatTime(w.LastUpdateDate),
  };

  const sortBy = (field: string) =>
    update({ sort: field, desc: field === sort && !descending ? '1' : null, page: null });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Webhooks</Title>
        {writer && (
          <Button component={Link} to="/webhooks/new">
            New webhook
          </Button>
        )}
      </Group>
      <TextInput
        label="Search"
        placeholder="Name, application or target URL"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={420}
      />
      <QueryState query={webhooks} label="webhooks">
        {(data) => (
          <>
            <ListTable
              label="Webhooks"
              striped
              highlightOnHover
              aria-busy={webhooks.isFetching}
              minWidth={820}
              rows={data.Results}
              rowKey={(w) => w.ObjectUUID}
              empty={query ? `No webhook matches “${query}”.` : 'No webhooks yet.'}
              columns={[
                ...COLUMNS.map((c) => ({
                  header: (
                    <UnstyledButton onClick={() => sortBy(c.field)} fw={600} fz="sm">
                      {c.label} {c.field === sort ? (descending ? '▼' : '▲') : ''}
                    </UnstyledButton>
                  ),
                  th: {
                    'aria-sort': c.field === sort ? (descending ? 'descending' : 'ascending') : 'none',
                  } as const,
                  cell: (w: Webhook) => cells[c.field](w),
                  wrap: c.field === 'TargetUrl',
                })),
                { header: null, cell: (w) => writer && <DeleteWebhook id={w.ObjectUUID} name={w.Name} /> },
              ]}
            />
            <Group justify="space-between">
              <Text size="sm" c="dimmed" aria-live="polite">
                {data.TotalResultCount} webhook{data.TotalResultCount === 1 ? '' : 's'}
              </Text>
              <Pagination
                total={pageCount(data.TotalResultCount, PAGE_SIZE)}
                value={page}
                onChange={(p) => update({ page: String(p) })}
                getControlProps={(control) => ({ 'aria-label': `${control} page` })}
                getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
              />
            </Group>
          </>
        )}
      </QueryState>
    </Stack>
  );
}
