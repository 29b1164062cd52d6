import { Table, Text, VisuallyHidden, type TableProps, type TableThProps } from '@mantine/core';
import type { ReactNode } from 'react';

export interface Column<T> {
  /** The header; null for a column of row actions (screen readers still hear "Actions"). */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Long unbroken text (URLs, errors) breaks anywhere instead of widening the table. */
  wrap?: boolean;
  /** Extra header cell props, e.g. aria-sort on a sortable column. */
  th?: TableThProps;
}

/**
 * A list as a labelled table: one row per item, a dimmed row when there are none, and a scroll
 * container so a narrow screen scrolls the table, not the page.
 */
export function ListTable<T>({
  label,
  rows,
  rowKey,
  columns,
  empty,
  minWidth = 600,
  ...tableProps
}: {
  label: string;
  rows: readonly T[];
  rowKey: (row: T) => string;
  columns: readonly Column<T>[];
  empty: ReactNode;
  minWidth?: number;
} & Omit<TableProps, 'children'>) {
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table aria-label={label} {...tableProps}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((column, i) => (
              <Table.Th key={i} {...column.th}>
                {column.header ?? <VisuallyHidden>Actions</VisuallyHidden>}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={columns.length}>
                <Text c="dimmed">{empty}</Text>
              </Table.Td>
            </Table.Tr>
          )}
          {rows.map((row) => (
            <Table.Tr key={rowKey(row)}>
              {columns.map((column, i) => (
                <Table.Td key={i} style={column.wrap ? { overflowWrap: 'anywhere' } : undefined}>
                  {column.cell(row)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
