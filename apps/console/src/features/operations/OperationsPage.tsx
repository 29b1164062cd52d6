import { Badge, Button, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { QueryState } from '../../components/QueryState';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/page-title';

function Breakers() {
  const breakers = useQuery({ queryKey: ['ops', 'breakers'], queryFn: api.breakers, refetchInterval: 5_000 });
  return (
    <QueryState query={breakers} label="breakers">
      {(data) =>
        data.Results.length === 0 ? (
          <Text c="dimmed">No target has been delivered to yet.</Text>
        ) : (
          <Table.ScrollContainer minWidth={600}>
            <Table aria-label="Circuit breakers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Origin</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>In flight</Table.Th>
                  <Table.Th>Parked</Table.Th>
                  <Table.Th>Next probe</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.Results.map((b) => (
                  <Table.Tr key={b.Origin}>
                    <Table.Td>{b.Origin}</Table.Td>
                    <Table.Td>
                      <Badge color={b.State === 'closed' ? 'green' : 'red'}>{b.State}</Badge>
                    </Table.Td>
                    <Table.Td>{b.InFlight}</Table.Td>
                    <Table.Td>{b.Parked}</Table.Td>
                    <Table.Td>{formatTime(b.NextProbeAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryState>
  );
}

function Blocklist() {
  const client = useQueryClient();
  const blocked = useQuery({ queryKey: ['ops', 'blocklist'], queryFn: api.blocklist });
  const unblock = useMutation({
    mutationFn: api.unblock,
    onSuccess: () => client.invalidateQueries({ queryKey: ['ops', 'blocklist'] }),
  });
  return (
    <QueryState query={blocked} label="the blocklist">
      {(data) =>
        data.Results.length === 0 ? (
          <Text c="dimmed">No URL is blocked.</Text>
        ) : (
          <Table.ScrollContainer minWidth={600}>
            <Table aria-label="Blocked URLs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>URL</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th>Blocked</Table.Th>
                  <Table.Th>Until</Table.Th>
                  <Table.Th>
                    <span aria-hidden />
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.Results.map((b) => (
                  <Table.Tr key={b.ID}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{b.Url}</Table.Td>
                    <Table.Td>{b.Reason}</Table.Td>
                    <Table.Td>{formatTime(b.BlockedAt)}</Table.Td>
                    <Table.Td>{b.Until ? formatTime(b.Until) : 'until unblocked'}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="light"
                        onClick={() => unblock.mutate(b.ID)}
                        aria-label={`Unblock ${b.Url}`}
                      >
                        Unblock
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryState>
  );
}

function Sessions() {
  const sessions = useQuery({ queryKey: ['ops', 'sessions'], queryFn: api.sessions, refetchInterval: 5_000 });
  return (
    <QueryState query={sessions} label="tunnel sessions">
      {(data) =>
        data.Results.length === 0 ? (
          <Text c="dimmed">No listener is connected.</Text>
        ) : (
          <Table aria-label="Tunnel sessions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Shared space</Table.Th>
                <Table.Th>Listener</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th>Connected</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.Results.flatMap((space) =>
                space.Listeners.map((l) => (
                  <Table.Tr key={l.Id}>
                    <Table.Td>{space.SharedSpace}</Table.Td>
                    <Table.Td>
                      <Code>{l.Id.slice(0, 12)}</Code>
                    </Table.Td>
                    <Table.Td>{l.RemoteAddress}</Table.Td>
                    <Table.Td>{formatTime(l.ConnectedAt)}</Table.Td>
                  </Table.Tr>
                )),
              )}
            </Table.Tbody>
          </Table>
        )
      }
    </QueryState>
  );
}

function ApiKeys() {
  const client = useQueryClient();
  const { principal } = useSession();
  const keys = useQuery({ queryKey: ['ops', 'keys'], queryFn: api.apiKeys });
  const revoke = useMutation({
    mutationFn: api.revokeApiKey,
    onSuccess: () => client.invalidateQueries({ queryKey: ['ops', 'keys'] }),
  });
  return (
    <QueryState query={keys} label="API keys">
      {(data) => (
        <Table.ScrollContainer minWidth={600}>
          <Table aria-label="API keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>
                  <span aria-hidden />
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.Results.map((k) => (
                <Table.Tr key={k.KeyID}>
                  <Table.Td>{k.Name}</Table.Td>
                  <Table.Td>
                    <Code>{k.Hint}…</Code>
                  </Table.Td>
                  <Table.Td>{k.Roles.join(', ')}</Table.Td>
                  <Table.Td>{formatTime(k.CreationDate)}</Table.Td>
                  <Table.Td>
                    {k.Revoked ? (
                      <Badge color="gray">revoked</Badge>
                    ) : (
                      k.KeyID !== principal.KeyID && (
                        <Button
                          size="compact-sm"
                          color="red"
                          variant="subtle"
                          onClick={() => revoke.mutate(k.KeyID)}
                          aria-label={`Revoke ${k.Name}`}
                        >
                          Revoke
                        </Button>
                      )
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}

export function OperationsPage() {
  usePageTitle('Operations');
  const { can } = useSession();
  if (!can('admin')) return <Text role="alert">Operations are for admins.</Text>;
  return (
    <Stack>
      <Title order={2}>Operations</Title>
      <Title order={3}>Circuit breakers</Title>
      <Breakers />
      <Title order={3}>Blocked URLs</Title>
      <Blocklist />
      <Title order={3}>Tunnel sessions</Title>
      <Sessions />
      <Title order={3}>API keys</Title>
      <ApiKeys />
    </Stack>
  );
}
