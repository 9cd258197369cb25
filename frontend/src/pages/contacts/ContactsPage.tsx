import { Anchor, Badge, Button, Checkbox, Group, Modal, Paper, Progress, Select, Stack, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconFilter, IconGitMerge, IconPlus, IconSearch, IconUpload } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { type Contact } from "../../api/client";
import { keys, useContacts, type ContactQuery, type ContactSort } from "../../api/queries/contacts";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatNumber, formatRelative } from "../../components/format";
import { CONSENT_LEVELS, COUNTRY_CODES, STAGES, STAGE_COLORS, countryName } from "../../components/vocabulary";
import { useUrlParams } from "../../components/useUrlParams";
import { AddToSegment } from "./AddToSegment";
import { ContactColumnsMenu, FieldValue, useContactColumns } from "./ContactColumns";
import { ContactForm } from "./ContactForm";

type Query = Record<string, string>;

const FILTERS = ["q", "lifecycle_stage", "country", "consent_level", "subscription"] as const;

export function ContactsPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params, update] = useUrlParams();
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [debounced] = useDebouncedValue(search, 300);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<number[]>([]);
  const [adding, setAdding] = useState(false);
  const sort = (params.get("sort") ?? "-id") as ContactSort;
  const sortState = { column: sort.replace(/^-/, ""), descending: sort.startsWith("-") };

  const filters: Query = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""]).filter(([, v]) => v));
  const query: ContactQuery = {
    q: filters.q || undefined,
    lifecycle_stage: (filters.lifecycle_stage || undefined) as ContactQuery["lifecycle_stage"],
    country: filters.country || undefined,
    consent_level: (filters.consent_level || undefined) as ContactQuery["consent_level"],
    email_opt_in: filters.subscription === "opted_in" ? true : undefined,
    unsubscribed: filters.subscription === "unsubscribed" ? true : undefined,
  };

  const setFilter = (name: string, value: string | null) => update({ [name]: value });

  useEffect(() => {
    if ((params.get("q") ?? "") !== debounced) setFilter("q", debounced);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const columns = useContactColumns();
  const extra = columns.shown.map((f) => f.name).join(",");
  const contacts = useContacts({ ...query, sort, ...(extra ? { fields: extra } : {}) });

  const exportQuery = new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]),
  ).toString();
  const page = contacts.items;
  const total = contacts.total;

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{t("contacts.title")}</Title>
          {total !== undefined && (
            <Badge variant="light" size="lg" data-testid="contacts-total">
              {t("contacts.total", { count: total, formatted: formatNumber(total) })}
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <ContactColumnsMenu {...columns} />
          <Button variant="default" leftSection={<IconGitMerge size={16} />} component={Link} to="/contacts/duplicates" data-testid="contacts-duplicates">
            {t("duplicates.open")}
          </Button>
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

      <Paper withBorder pos="relative" p="xs">
        {contacts.isFetching && <Progress value={100} animated size="xs" pos="absolute" top={0} left={0} right={0} aria-label={t("common.loading")} />}
        <DataTable
          testId="contacts-table"
          rows={page}
          rowKey={(c) => c.id}
          rowProps={(c) => ({ "data-testid": `contact-row-${c.id}` })}
          onRowClick={(c) => navigate(`/contacts/${c.id}`)}
          loading={contacts.isLoading}
          error={contacts.error}
          sort={sortState}
          onSort={(next) => setFilter("sort", `${next.descending ? "-" : ""}${next.column}`)}
          pager={contacts.pager}
          empty={{
            testId: "contacts-empty",
            message: Object.keys(filters).length ? t("contacts.empty_filtered") : t("contacts.empty"),
            action: canWrite && !Object.keys(filters).length
              ? <Button variant="light" onClick={() => setCreating(true)}>{t("contacts.new")}</Button> : undefined,
          }}
          columns={[
            ...(canWrite ? [{
              key: "select",
              width: 40,
              header: (
                <Checkbox
                  aria-label={t("contacts.select_page")}
                  data-testid="contacts-select-page"
                  checked={Boolean(page?.length) && page!.every((c) => selected.includes(c.id))}
                  onChange={(e) => {
                    const ids = page?.map((c) => c.id) ?? [];
                    setSelected(e.currentTarget.checked ? [...new Set([...selected, ...ids])] : selected.filter((id) => !ids.includes(id)));
                  }}
                />
              ),
              render: (c: Contact) => (
                <Checkbox
                  aria-label={c.email}
                  data-testid="contact-row-select"
                  checked={selected.includes(c.id)}
                  onClick={(e) => e.stopPropagation()}
                  onChange={(e) => setSelected(e.currentTarget.checked ? [...selected, c.id] : selected.filter((id) => id !== c.id))}
                />
              ),
            }] : []),
            { key: "last_name", header: t("contacts.name"), sortable: true, render: (c) => (
              <Anchor component={Link} to={`/contacts/${c.id}`} onClick={(e) => e.stopPropagation()} data-testid="contact-row-name">
                {[c.first_name, c.last_name].filter(Boolean).join(" ") || t("contacts.no_name")}
              </Anchor>
            ) },
            { key: "email", header: t("fields.email"), sortable: true, render: (c) => <span data-testid="contact-row-email">{c.email}</span> },
            { key: "company", header: t("fields.company"), render: (c) => c.account_name },
            { key: "lifecycle_stage", header: t("fields.lifecycle_stage"), sortable: true, render: (c) => (
              <Badge color={STAGE_COLORS[c.lifecycle_stage]} variant="light">{t(`stages.${c.lifecycle_stage}`)}</Badge>
            ) },
            { key: "country", header: t("fields.country"), sortable: true, render: (c) => countryName(c.country, i18n.language) },
            { key: "last_interaction_at", header: t("fields.last_interaction_at"), sortable: true, render: (c) => formatRelative(c.last_interaction_at) },
            ...columns.shown.map((f) => ({
              key: f.name,
              header: i18n.language === "fr" ? f.label_fr : f.label_en,
              render: (c: Contact) => (
                <span data-testid={`contact-row-field-${f.name}`}>
                  <FieldValue field={f} value={c.fields?.[f.name]} />
                </span>
              ),
            })),
          ]}
        />
      </Paper>

      <AddToSegment contactIds={selected} opened={adding} onClose={(added) => { setAdding(false); if (added) setSelected([]); }} />
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("contacts.new")} size="xl">
        <ContactForm
          onCancel={() => setCreating(false)}
          onSaved={(saved) => {
            setCreating(false);
            void queries.invalidateQueries({ queryKey: keys.all });
            notifications.show({ color: "green", message: t("contacts.created", { email: saved.email }) });
            navigate(`/contacts/${saved.id}`);
          }}
        />
      </Modal>
    </Stack>
  );
}
