// The one table of the SPA: columns, sorting, cursor pages, empty/loading/error states and row
// actions (a delete asks first and says what it will do). Every control carries a data-testid.
import { ActionIcon, Group, Pagination, Skeleton, Stack, Table, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconSelector } from "@tabler/icons-react";
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { CursorPager } from "../api/paging";
import { confirmDanger } from "./confirm";
import { ErrorAlert } from "./ErrorAlert";

export type SortState = { column: string; descending: boolean };

export type Column<T> = {
  key: string;
  header: ReactNode;
  render: (row: T) => ReactNode;
  align?: "left" | "right" | "center";
  /** Sorts the loaded rows by this value (or, with `sort`/`onSort` on the table, asks the server). */
  sortValue?: (row: T) => string | number | null | undefined;
  sortable?: boolean;
  width?: number | string;
};

export type RowAction<T> = {
  key: string;
  label: string;
  icon: ReactNode;
  onClick: (row: T) => Promise<void> | void;
  testId: string;
  color?: string;
  hidden?: (row: T) => boolean;
  /** A destructive action asks first: the title, what will happen, the confirm button's words. */
  confirm?: (row: T) => { title: string; message: string; confirm: string; testId: string };
};

export type DataTableProps<T> = {
  testId: string;
  rows: T[] | undefined;
  rowKey: (row: T) => string | number;
  rowProps?: (row: T) => Record<string, string | undefined>;
  /** A click on the row (outside its controls) opens it. */
  onRowClick?: (row: T) => void;
  columns: Column<T>[];
  loading?: boolean;
  error?: unknown;
  /** Shown when there is nothing to list: what to say and, often, the button that adds the first one. */
  empty?: { message: ReactNode; action?: ReactNode; testId?: string };
  actions?: RowAction<T>[];
  /** Server-side sorting (the list is paged): the table shows and changes it. */
  sort?: SortState;
  onSort?: (sort: SortState) => void;
  pager?: CursorPager;
  pagerTestId?: string;
  highlightOnHover?: boolean;
  striped?: boolean;
};

function compare(a: unknown, b: unknown): number {
  if (a == null) return b == null ? 0 : 1;
  if (b == null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

export function DataTable<T>(props: DataTableProps<T>) {
  const { t } = useTranslation();
  const { columns, rows, actions = [], testId } = props;
  const [localSort, setLocalSort] = useState<SortState | null>(null);
  const sort = props.onSort ? props.sort ?? null : localSort;

  const shown = useMemo(() => {
    if (!rows || props.onSort || !localSort) return rows;
    const column = columns.find((c) => c.key === localSort.column);
    if (!column?.sortValue) return rows;
    const value = column.sortValue;
    const sorted = [...rows].sort((a, b) => compare(value(a), value(b)));
    return localSort.descending ? sorted.reverse() : sorted;
  }, [rows, columns, localSort, props.onSort]);

  function toggle(column: Column<T>) {
    const next = { column: column.key, descending: sort?.column === column.key ? !sort.descending : false };
    if (props.onSort) props.onSort(next);
    else setLocalSort(next);
  }

  async function run(action: RowAction<T>, row: T) {
    if (!action.confirm) return action.onClick(row);
    const asked = action.confirm(row);
    confirmDanger({ ...asked, onConfirm: () => action.onClick(row) });
  }

  const hasActions = actions.length > 0;
  const span = columns.length + (hasActions ? 1 : 0);
  return (
    <Stack gap="sm">
      <ErrorAlert error={props.error} testId={`${testId}-error`} />
      <Table.ScrollContainer minWidth={500}>
        <Table highlightOnHover={props.highlightOnHover ?? true} striped={props.striped} data-testid={testId}
          aria-busy={props.loading || undefined}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => {
                const sortable = column.sortable ?? Boolean(column.sortValue);
                const active = sort?.column === column.key;
                return (
                  <Table.Th key={column.key} ta={column.align} w={column.width}
                    aria-sort={active ? (sort?.descending ? "descending" : "ascending") : undefined}>
                    {sortable ? (
                      <UnstyledButton onClick={() => toggle(column)} data-testid={`${testId}-sort-${column.key}`}
                        style={{ fontWeight: 700, fontSize: "inherit" }}>
                        <Group gap={4} wrap="nowrap" justify={column.align === "right" ? "flex-end" : "flex-start"}>
                          {column.header}
                          {active ? (sort?.descending ? <IconArrowDown size={14} /> : <IconArrowUp size={14} />)
                            : <IconSelector size={14} opacity={0.5} />}
                        </Group>
                      </UnstyledButton>
                    ) : column.header}
                  </Table.Th>
                );
              })}
              {hasActions && <Table.Th w={1} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.loading && !rows && [0, 1, 2].map((n) => (
              <Table.Tr key={`loading-${n}`} data-testid={`${testId}-loading`}>
                <Table.Td colSpan={span}><Skeleton height={18} /></Table.Td>
              </Table.Tr>
            ))}
            {shown?.map((row) => (
              <Table.Tr key={props.rowKey(row)} {...props.rowProps?.(row)}
                onClick={props.onRowClick && (() => props.onRowClick?.(row))}
                style={props.onRowClick ? { cursor: "pointer" } : undefined}>
                {columns.map((column) => <Table.Td key={column.key} ta={column.align}>{column.render(row)}</Table.Td>)}
                {hasActions && (
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap" onClick={(e) => e.stopPropagation()}>
                      {actions.filter((a) => !a.hidden?.(row)).map((action) => (
                        <Tooltip key={action.key} label={action.label}>
                          <ActionIcon variant="subtle" color={action.color ?? (action.confirm ? "red" : undefined)}
                            aria-label={action.label} data-testid={action.testId} onClick={() => void run(action, row)}>
                            {action.icon}
                          </ActionIcon>
                        </Tooltip>
                      ))}
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows?.length === 0 && props.empty && (
        <Stack align="center" gap="xs" py="md" data-testid={props.empty.testId ?? `${testId}-empty`}>
          <Text c="dimmed" ta="center">{props.empty.message}</Text>
          {props.empty.action}
        </Stack>
      )}
      {props.pager && props.pager.pages > 1 && (
        <Group justify="center">
          <Pagination total={props.pager.pages} value={props.pager.page} onChange={props.pager.setPage}
            data-testid={props.pagerTestId ?? `${testId}-pagination`} aria-label={t("common.pages")}
            getItemProps={(n) => ({
              "data-testid": `${props.pagerTestId ?? `${testId}-pagination`}`.replace(/-pagination$/, "") + `-page-${n}`,
              "aria-label": t("common.page_n", { page: n }),
            } as Record<string, string>)}
            getControlProps={(control) => ({ "aria-label": t(`common.page_control.${control}`) })} />
        </Group>
      )}
    </Stack>
  );
}
