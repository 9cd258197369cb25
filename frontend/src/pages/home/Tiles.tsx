import { ActionIcon, Anchor, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { BarChart } from "@mantine/charts";
import { IconArrowDown, IconArrowUp, IconX } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useTileChanges, useTileReport, useTiles, type Tile } from "../../api/queries/reports_home";
import { formatValue } from "./format";

type Row = Record<string, unknown>;
const ROWS = 10;
// Where a report keeps its table: the first of these that is a list.
const TABLES = ["items", "groups", "rows", "stages", "figures", "by_day"];

const scalar = (v: unknown) => v == null || ["string", "number", "boolean"].includes(typeof v);

// A row's nested figures ({name, figures: {sent, ...}}) read as columns of their own.
function flat(row: Row): Row {
  const found: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value as Row)) if (scalar(v) && !(inner in row)) found[inner] = v;
    } else found[key] = value;
  }
  return found;
}

/** A report's answer read generically: its table's rows and the columns worth showing. */
export function tableOf(answer: unknown): { rows: Row[]; columns: string[] } {
  const body = (answer ?? {}) as Record<string, unknown>;
  const list = TABLES.map((k) => body[k]).find(Array.isArray) as Row[] | undefined;
  const rows = (list ?? []).filter((r) => r && typeof r === "object").map(flat);
  const columns = rows.length ? Object.keys(rows[0]).filter((k) => scalar(rows[0][k])).slice(0, 6) : [];
  return { rows, columns };
}

/** The report page a tile comes from, with its query. */
export function pageOf(tile: Tile): string {
  const path = tile.report.replace(/^\/api\/reports\//, "");
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(tile.params)) {
    for (const one of Array.isArray(value) ? value : [value]) search.append(key, String(one));
  }
  const query = search.toString() ? `?${search}` : "";
  return path === "overview" ? `/${query}` : `/reports/${path}${query}`;
}

function TileBody({ tile }: { tile: Tile }) {
  const { t, i18n } = useTranslation();
  const report = useTileReport(tile);
  if (report.isPending) return <Loader size="sm" role="status" aria-label={t("common.loading")} />;
  if (report.isError) return <Text size="sm" c="red.8">{report.error.message}</Text>;
  const { rows, columns } = tableOf(report.data);
  if (!rows.length) return <Text size="sm" c="dimmed">{t("home.tiles.empty_report")}</Text>;
  const cell = (v: unknown) => (typeof v === "number" ? formatValue(v, false, i18n.language) : v == null ? "—" : String(v));
  const label = columns.find((c) => typeof rows[0][c] === "string") ?? columns[0];
  const numbers = columns.filter((c) => typeof rows[0][c] === "number" && c !== "id");
  if (tile.view === "figure") {
    const first = rows[0];
    return (
      <Group gap="lg">
        {numbers.slice(0, 3).map((c) => (
          <Stack key={c} gap={0}>
            <Text size="xs" c="dimmed">{c}</Text>
            <Text fw={700} fz={20}>{cell(first[c])}</Text>
          </Stack>
        ))}
      </Group>
    );
  }
  if (tile.view === "chart" && numbers.length) {
    return (
      <div role="img" aria-label={tile.title}>
        <BarChart h={180} data={rows.slice(0, ROWS) as Record<string, never>[]} dataKey={label}
          series={numbers.slice(0, 2).map((name, i) => ({ name, color: i ? "orange.6" : "blue.6" }))} tickLine="y" />
      </div>
    );
  }
  return (
    <Table.ScrollContainer minWidth={300}>
      <Table striped fz="xs">
        <Table.Thead>
          <Table.Tr>{columns.map((c) => <Table.Th key={c}>{c}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.slice(0, ROWS).map((row, i) => (
            <Table.Tr key={i}>{columns.map((c) => <Table.Td key={c}>{cell(row[c])}</Table.Td>)}</Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The tiles pinned onto the Home: each its report asked again, with buttons (keyboard too) to
 * move it up or down and to remove it. */
export function PinnedTiles() {
  const { t } = useTranslation();
  const tiles = useTiles();
  const { remove, order } = useTileChanges();
  const items = tiles.data?.items ?? [];
  const move = (index: number, by: number) => {
    const ids = items.map((tile) => tile.id);
    [ids[index], ids[index + by]] = [ids[index + by], ids[index]];
    order.mutate(ids);
  };
  return (
    <Stack gap="sm" data-testid="home-tiles">
      <Title order={3}>{t("home.tiles.title")}</Title>
      {items.length === 0 && <Text size="sm" c="dimmed">{t("home.tiles.empty")}</Text>}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {items.map((tile, index) => (
          <Paper key={tile.id} withBorder p="sm" data-testid={`home-tile-${tile.id}`}>
            <Group justify="space-between" mb="xs" wrap="nowrap">
              <Anchor component={Link} to={pageOf(tile)} fw={600} data-testid={`home-tile-${tile.id}-link`}>{tile.title}</Anchor>
              <Group gap={4} wrap="nowrap">
                <ActionIcon variant="subtle" color="gray" disabled={index === 0} onClick={() => move(index, -1)}
                  aria-label={t("home.tiles.up", { title: tile.title })} data-testid={`home-tile-${tile.id}-up`}>
                  <IconArrowUp size={16} />
                </ActionIcon>
                <ActionIcon variant="subtle" color="gray" disabled={index === items.length - 1} onClick={() => move(index, 1)}
                  aria-label={t("home.tiles.down", { title: tile.title })} data-testid={`home-tile-${tile.id}-down`}>
                  <IconArrowDown size={16} />
                </ActionIcon>
                <ActionIcon variant="subtle" color="gray" onClick={() => remove.mutate(tile.id)}
                  aria-label={t("home.tiles.remove", { title: tile.title })} data-testid={`home-tile-${tile.id}-remove`}>
                  <IconX size={16} />
                </ActionIcon>
              </Group>
            </Group>
            <TileBody tile={tile} />
          </Paper>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
