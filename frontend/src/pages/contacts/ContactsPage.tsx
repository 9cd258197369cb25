import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  Progress,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconArrowDown, IconArrowUp, IconDownload, IconFilter, IconPlus, IconSearch, IconUpload } from "@tabler/icons-react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber, formatRelative } from "../../components/format";
import { CONSENT_LEVELS, COUNTRY_CODES, STAGES, STAGE_COLORS, countryName } from "../../components/vocabulary";
import { AddToSegment } from "./AddToSegment";
import { ContactForm } from "./ContactForm";

type Query = Record<string, string>;
type Sort = "-id" | "id" | "email" | "-email" | "last_name" | "-last_name" | "last_interaction_at" | "-last_interaction_at" | "lifecycle_stage" | "-lifecycle_stage" | "country" | "-country";

const FILTERS = ["q", "lifecycle_stage", "country", "consent_level", "subscription"] as const;
const PAGE_SIZE = 50;

function SortHeader({ label, field, sort, onSort }: { label: string; field: string; sort: string; onSort: (s: Sort) => void }) {
  const active = sort.replace("-", "") === field;
  const descending = sort.startsWith("-");
  return (
    <Table.Th>
      <UnstyledButton
        onClick={() => onSort((active && !descending ? `-${field}` : field) as Sort)}
        data-testid={`sort-${field}`}
        aria-sort={active ? (descending ? "descending" : "ascending") : "none"}
      >
        <Group gap={4} wrap="nowrap">
          <Text fw={600} size="sm">
            {label}
          </Text>
          {active && (descending ? <IconArrowDown size={14} /> : <IconArrowUp size={14} />)}
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

export function ContactsPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [debounced] = useDebouncedValue(search, 300);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<number[]>([]);
  const [adding, setAdding] = useState(false);
  const sort = (params.get("sort") ?? "-id") as Sort;

  const filters: Query = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""]).filter(([, v]) => v));
  const query = {
    q: filters.q || undefined,
    lifecycle_stage: (filters.lifecycle_stage || undefined) as never,
    country: filters.country || undefined,
    consent_level: (filters.consent_level || undefined) as never,
    email_opt_in: filters.subscription === "opted_in" ? true : undefined,
    unsubscribed: filters.subscription === "unsubscribed" ? true : undefined,
  };

  function setFilter(name: string, value: string | null) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setCursors([null]);
  }

  useEffect(() => {
    if ((params.get("q") ?? "") !== debounced) setFilter("q", debounced);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const cursor = cursors[cursors.length - 1];
  const contacts = useQuery({
    queryKey: ["contacts", query, sort, cursor],
    queryFn: () =>
      unwrap(api.GET("/api/contacts", { params: { query: { ...query, sort, limit: PAGE_SIZE, cursor: cursor ?? undefined } } })),
    placeholderData: keepPreviousData,
  });

  const exportQuery = new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]),
  ).toString();
  const page = contacts.data;

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{t("contacts.title")}</Title>
          {page && (
            <Badge variant="light" size="lg" data-testid="contacts-total">
              {t("contacts.total", { count: page.total, formatted: formatNumber(page.total) })}
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <Button variant="default" leftSection={<IconDownload size={16} />} component="a" href={`/api/contacts/export.csv?${exportQuery}`} data-testid="contacts-export">
            {t("contacts.export_csv")}
          </Button>
          {canWrite && selected.length > 0 && (
            <Button variant="light" leftSection={<IconFilter size={16} />} onClick={() => setAdding(true)} data-testid="contacts-add-to-segment">
              {t("segments.add_to_segment_count", { count: selected.length })}
            </Button>
          )}
          {canWrite && (
            <>
              <Button variant="default" leftSection={<IconUpload size={16} />} component={Link} to="/contacts/import" data-testid="contacts-import">
                {t("contacts.import")}
              </Button>
              <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="contacts-new">
                {t("contacts.new")}
              </Button>
            </>
          )}
        </Group>
      </Group>

      <Paper withBorder p="sm">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput
            label={t("contacts.search")}
            placeholder={t("contacts.search_placeholder")}
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            data-testid="contacts-search"
            w={280}
          />
          <Select
            label={t("fields.lifecycle_stage")}
            placeholder={t("common.any")}
            clearable
            data={STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))}
            value={filters.lifecycle_stage ?? null}
            onChange={(v) => setFilter("lifecycle_stage", v)}
            data-testid="filter-stage"
            w={200}
          />
          <Select
            label={t("fields.country")}
            placeholder={t("common.any")}
            clearable
            searchable
            data={COUNTRY_CODES.map((c) => ({ value: c, label: countryName(c, i18n.language) }))}
            value={filters.country ?? null}
            onChange={(v) => setFilter("country", v)}
            data-testid="filter-country"
            w={180}
          />
          <Select
            label={t("fields.consent_level")}
            placeholder={t("common.any")}
            clearable
            data={CONSENT_LEVELS.map((c) => ({ value: c, label: t(`consent.${c}`) }))}
            value={filters.consent_level ?? null}
            onChange={(v) => setFilter("consent_level", v)}
            data-testid="filter-consent"
            w={170}
          />
          <Select
            label={t("contacts.subscription")}
            placeholder={t("common.any")}
            clearable
            data={[
              { value: "opted_in", label: t("contacts.opted_in") },
              { value: "unsubscribed", label: t("fields.unsubscribed") },
            ]}
            value={filters.subscription ?? null}
            onChange={(v) => setFilter("subscription", v)}
            data-testid="filter-subscription"
            w={170}
          />
        </Group>
      </Paper>

      <ErrorAlert error={contacts.error} testId="contacts-error" />
      <Paper withBorder pos="relative">
        {contacts.isFetching && <Progress value={100} animated size="xs" pos="absolute" top={0} left={0} right={0} />}
        <Table.ScrollContainer minWidth={800}>
          <Table highlightOnHover verticalSpacing="xs" data-testid="contacts-table">
            <Table.Thead>
              <Table.Tr>
                {canWrite && (
                  <Table.Th w={40}>
                    <Checkbox
                      aria-label={t("contacts.select_page")}
                      data-testid="contacts-select-page"
                      checked={Boolean(page?.items.length) && page!.items.every((c) => selected.includes(c.id))}
                      onChange={(e) => {
                        const ids = page?.items.map((c) => c.id) ?? [];
                        setSelected(e.currentTarget.checked ? [...new Set([...selected, ...ids])] : selected.filter((id) => !ids.includes(id)));
                      }}
                    />
                  </Table.Th>
                )}
                <SortHeader label={t("contacts.name")} field="last_name" sort={sort} onSort={(s) => setFilter("sort", s)} />
                <SortHeader label={t("fields.email")} field="email" sort={sort} onSort={(s) => setFilter("sort", s)} />
                <Table.Th>{t("fields.company")}</Table.Th>
                <SortHeader label={t("fields.lifecycle_stage")} field="lifecycle_stage" sort={sort} onSort={(s) => setFilter("sort", s)} />
                <SortHeader label={t("fields.country")} field="country" sort={sort} onSort={(s) => setFilter("sort", s)} />
                <SortHeader label={t("fields.last_interaction_at")} field="last_interaction_at" sort={sort} onSort={(s) => setFilter("sort", s)} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page?.items.map((c) => (
                <Table.Tr
                  key={c.id}
                  onClick={() => navigate(`/contacts/${c.id}`)}
                  style={{ cursor: "pointer" }}
                  data-testid={`contact-row-${c.id}`}
                >
                  {canWrite && (
                    <Table.Td onClick={(e) => e.stopPropagation()}>
                      <Checkbox
                        aria-label={c.email}
                        data-testid="contact-row-select"
                        checked={selected.includes(c.id)}
                        onChange={(e) => setSelected(e.currentTarget.checked ? [...selected, c.id] : selected.filter((id) => id !== c.id))}
                      />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Anchor component={Link} to={`/contacts/${c.id}`} onClick={(e) => e.stopPropagation()} data-testid="contact-row-name">
                      {[c.first_name, c.last_name].filter(Boolean).join(" ") || t("contacts.no_name")}
                    </Anchor>
                  </Table.Td>
                  <Table.Td data-testid="contact-row-email">{c.email}</Table.Td>
                  <Table.Td>{c.account_name}</Table.Td>
                  <Table.Td>
                    <Badge color={STAGE_COLORS[c.lifecycle_stage]} variant="light">
                      {t(`stages.${c.lifecycle_stage}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{countryName(c.country, i18n.language)}</Table.Td>
                  <Table.Td>{formatRelative(c.last_interaction_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {page && page.items.length === 0 && (
          <Text c="dimmed" ta="center" p="xl" data-testid="contacts-empty">
            {Object.keys(filters).length ? t("contacts.empty_filtered") : t("contacts.empty")}
          </Text>
        )}
      </Paper>
      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="contacts-page">
          {t("common.page", { page: cursors.length })}
        </Text>
        <Group gap="xs">
          <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))} data-testid="contacts-previous">
            {t("common.previous")}
          </Button>
          <Button variant="default" disabled={!page?.next_cursor} onClick={() => setCursors([...cursors, page!.next_cursor])} data-testid="contacts-next">
            {t("common.next")}
          </Button>
        </Group>
      </Group>

      <AddToSegment contactIds={selected} opened={adding} onClose={(added) => { setAdding(false); if (added) setSelected([]); }} />
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("contacts.new")} size="xl">
        <ContactForm
          onCancel={() => setCreating(false)}
          onSaved={(saved) => {
            setCreating(false);
            void queries.invalidateQueries({ queryKey: ["contacts"] });
            notifications.show({ color: "green", message: t("contacts.created", { email: saved.email }) });
            navigate(`/contacts/${saved.id}`);
          }}
        />
      </Modal>
    </Stack>
  );
}
