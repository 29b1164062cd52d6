import { Badge, Code, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import type { Attempt } from '../../lib/api';
import { formatLatency, formatTime, prettyBody } from '../../lib/format';

function Headers({ label, headers }: { label: string; headers: Record<string, string> }) {
  const names = Object.keys(headers).sort();
  if (names.length === 0) return <Text c="dimmed">No headers.</Text>;
  return (
    <Table.ScrollContainer minWidth={320}>
      <Table aria-label={label} withRowBorders={false} verticalSpacing={2}>
        <Table.Tbody>
          {names.map((name) => (
            <Table.Tr key={name}>
              <Table.Th scope="row" w="35%" style={{ fontWeight: 500 }}>
                {name}
              </Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{headers[name]}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Body({ label, text }: { label: string; text: string | null }) {
  if (text === null)
    return <Text c="dimmed">Body not kept: the delivery log keeps the bodies of attempts that did not succeed.</Text>;
  if (!text) return <Text c="dimmed">Empty body.</Text>;
  return (
    <Code block aria-label={label} style={{ maxHeight: 260, overflow: 'auto' }}>
      {prettyBody(text)}
    </Code>
  );
}

/** One attempt's request and the receiver's answer, as the delivery log kept them. */
export function AttemptDetails({ attempt, onClose }: { attempt: Attempt | null; onClose: () => void }) {
  return (
    <Modal
      opened={attempt !== null}
      onClose={onClose}
      size="xl"
      title={attempt ? `Attempt ${attempt.Attempt} of delivery ${attempt.DeliveryID.slice(0, 12)}` : ''}
    >
      {attempt && (
        <Stack gap="md">
          <Group gap="xs">
            <Badge color={attempt.Outcome === 'success' ? 'green' : 'red'}>{attempt.Outcome}</Badge>
            <Text size="sm">{formatTime(attempt.Time)}</Text>
          </Group>
          <section aria-label="Request">
            <Title order={4} mb="xs">
              Request
            </Title>
            {attempt.Request ? (
              <Stack gap="xs">
                <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="request-url">
                  POST {attempt.Request.Url}
                </Text>
                <Headers label="Request headers" headers={attempt.Request.Headers} />
                <Body label="Request body" text={attempt.Request.BodyExcerpt} />
              </Stack>
            ) : (
              <Text c="dimmed">Nothing was sent: {attempt.Error ?? 'the attempt stopped before sending'}.</Text>
            )}
          </section>
          <section aria-label="Response">
            <Title order={4} mb="xs">
              Response
            </Title>
            <Stack gap="xs">
              <Text size="sm" data-testid="response-summary">
                Status {attempt.Status ?? 'none'} in {formatLatency(attempt.LatencyMs)}
              </Text>
              {attempt.Error && (
                <Text size="sm" c="red" data-testid="response-error">
                  {attempt.ErrorKind ? `${attempt.ErrorKind}: ` : ''}
                  {attempt.Error}
                </Text>
              )}
              {attempt.Response ? (
                <>
                  <Headers label="Response headers" headers={attempt.Response.Headers} />
                  <Body label="Response body" text={attempt.Response.BodyExcerpt} />
                </>
              ) : (
                <Text c="dimmed">No answer arrived.</Text>
              )}
            </Stack>
          </section>
        </Stack>
      )}
    </Modal>
  );
}
