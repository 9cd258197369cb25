import { Anchor, Badge, Button, Group, Modal, Paper, Progress, Stack, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { keys, useAccounts } from "../../api/queries/accounts";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatMoney, formatNumber } from "../../components/format";
import { countryName } from "../../components/vocabulary";
import { useUrlParams } from "../../components/useUrlParams";
import { CompanyForm } from "./CompanyForm";

/** The companies contacts work for: found by name or domain, opened for their contacts, scores and
 * opportunities. */
export function CompaniesPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params, update] = useUrlParams();
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [debounced] = useDebouncedValue(search, 300);
  const [creating, setCreating] = useState(false);
  const q = params.get("q") ?? "";
  const accounts = useAccounts(q);

  useEffect(() => {
    if (q !== debounced) update({ q: debounced });
  }, [debounced, q, update]);

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{t("companies.title")}</Title>
          {accounts.total !== undefined && (
            <Badge variant="light" size="lg" data-testid="companies-total">
              {t("companies.total", { count: accounts.total, formatted: formatNumber(accounts.total) })}
            </Badge>
          )}
        </Group>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="companies-new">
            {t("companies.new")}
          </Button>
        )}
      </Group>
      <TextInput
        label={t("companies.search")}
        placeholder={t("companies.search_placeholder")}
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        data-testid="companies-search"
        w={320}
      />
      <Paper withBorder pos="relative" p="xs">
        {accounts.isFetching && (
          <Progress value={100} animated size="xs" pos="absolute" top={0} left={0} right={0} aria-label={t("common.loading")} />
        )}
        <DataTable
          testId="companies-table"
          rows={accounts.items}
          rowKey={(a) => a.id}
          rowProps={(a) => ({ "data-testid": `company-row-${a.id}` })}
          onRowClick={(a) => navigate(`/companies/${a.id}`)}
          loading={accounts.isLoading}
          error={accounts.error}
          pager={accounts.pager}
          empty={{
            testId: "companies-empty",
            message: q ? t("companies.empty_filtered") : t("companies.empty"),
            action: canWrite && !q ? <Button variant="light" onClick={() => setCreating(true)}>{t("companies.new")}</Button> : undefined,
          }}
          columns={[
            { key: "name", header: t("companies.fields.name"), render: (a) => (
              <Anchor component={Link} to={`/companies/${a.id}`} onClick={(e) => e.stopPropagation()} data-testid="company-row-name">
                {a.name}
              </Anchor>
            ) },
            { key: "domain", header: t("companies.fields.domain"), render: (a) => a.domain },
            { key: "industry", header: t("companies.fields.industry"), render: (a) => a.industry },
            { key: "size", header: t("companies.fields.size"), align: "right", render: (a) => (a.size == null ? "" : formatNumber(a.size)) },
            { key: "annual_revenue", header: t("companies.fields.annual_revenue"), align: "right",
              render: (a) => (a.annual_revenue == null ? "" : formatMoney(a.annual_revenue)) },
            { key: "country", header: t("companies.fields.country"), render: (a) => countryName(a.country, i18n.language) },
            { key: "contacts", header: t("companies.contacts"), align: "right",
              render: (a) => <span data-testid="company-row-contacts">{formatNumber(a.contacts)}</span> },
          ]}
        />
      </Paper>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("companies.new")} size="lg">
        <CompanyForm
          onCancel={() => setCreating(false)}
          onSaved={(saved) => {
            setCreating(false);
            void queries.invalidateQueries({ queryKey: keys.all });
            notifications.show({ color: "green", message: t("companies.created", { name: saved.name }) });
            navigate(`/companies/${saved.id}`);
          }}
        />
      </Modal>
    </Stack>
  );
}
