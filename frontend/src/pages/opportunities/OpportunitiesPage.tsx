import { Button, Group, Paper, Select, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useAccounts } from "../../api/queries/accounts";
import { useJourneys } from "../../api/queries/journeys";
import {
  OPPORTUNITY_STAGES,
  ORIGIN_KINDS,
  type OpportunityQuery,
  type OpportunityStage,
  type OriginKind,
} from "../../api/queries/opportunities";
import { useAuth } from "../../auth/AuthProvider";
import { useUrlParams } from "../../components/useUrlParams";
import { OpportunitiesTable } from "./OpportunitiesTable";
import { OpportunityDrawer } from "./OpportunityDrawer";

const FILTERS = ["stage", "origin_kind", "journey_id", "account_id", "close_from", "close_to", "q"] as const;

/** The query the address carries (filters are kept in the URL: a view can be shared). */
function queryOf(params: URLSearchParams): OpportunityQuery {
  const n = (k: string) => (params.get(k) ? Number(params.get(k)) : undefined);
  return {
    stage: (params.get("stage") as OpportunityStage) || undefined,
    origin_kind: (params.get("origin_kind") as OriginKind) || undefined,
    journey_id: n("journey_id"),
    account_id: n("account_id"),
    close_from: params.get("close_from") || undefined,
    close_to: params.get("close_to") || undefined,
    q: params.get("q") || undefined,
  };
}

/** Every opportunity, filtered by stage, origin, journey, company, close date and name. */
export function OpportunitiesPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const [params, update] = useUrlParams();
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [debounced] = useDebouncedValue(search, 300);
  const [accountSearch, setAccountSearch] = useState("");
  const [aq] = useDebouncedValue(accountSearch, 250);
  const journeys = useJourneys();
  const accounts = useAccounts(aq);
  const query = queryOf(params);

  const set = (key: (typeof FILTERS)[number], value: string | null) => update({ [key]: value });
  useEffect(() => {
    if ((params.get("q") ?? "") !== debounced) set("q", debounced);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const accountOptions = (accounts.items ?? []).map((a) => ({ value: String(a.id), label: a.name }));
  const chosenAccount = params.get("account_id");
  if (chosenAccount && !accountOptions.some((o) => o.value === chosenAccount)) accountOptions.unshift({ value: chosenAccount, label: `#${chosenAccount}` });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("opportunities.title")}</Title>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="opportunities-new">
            {t("opportunities.new")}
          </Button>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} data-testid="opportunities-filters">
        <TextInput
          label={t("opportunities.search")}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          data-testid="opportunities-search"
        />
        <Select
          label={t("opportunities.fields.stage")}
          clearable
          placeholder={t("common.any")}
          data={OPPORTUNITY_STAGES.map((s) => ({ value: s, label: t(`companies.opportunity_stages.${s}`) }))}
          value={params.get("stage")}
          onChange={(v) => set("stage", v)}
          data-testid="opportunities-filter-stage"
        />
        <Select
          label={t("opportunities.fields.origin")}
          clearable
          placeholder={t("common.any")}
          data={ORIGIN_KINDS.map((k) => ({ value: k, label: t(`opportunities.origins.${k}`) }))}
          value={params.get("origin_kind")}
          onChange={(v) => set("origin_kind", v)}
          data-testid="opportunities-filter-origin"
        />
        <Select
          label={t("opportunities.fields.journey")}
          clearable
          searchable
          placeholder={t("common.any")}
          data={(journeys.data ?? []).map((j) => ({ value: String(j.id), label: j.name }))}
          value={params.get("journey_id")}
          onChange={(v) => set("journey_id", v)}
          data-testid="opportunities-filter-journey"
        />
        <Select
          label={t("opportunities.fields.account")}
          clearable
          searchable
          placeholder={t("common.any")}
          searchValue={accountSearch}
          onSearchChange={setAccountSearch}
          filter={({ options }) => options}
          data={accountOptions}
          value={chosenAccount}
          onChange={(v) => set("account_id", v)}
          data-testid="opportunities-filter-account"
        />
        <DatePickerInput
          type="range"
          label={t("opportunities.close_between")}
          clearable
          valueFormat="YYYY-MM-DD"
          value={[params.get("close_from"), params.get("close_to")]}
          onChange={([from, to]) => update({
            close_from: from ? String(from).slice(0, 10) : null,
            close_to: to ? String(to).slice(0, 10) : null,
          })}
          data-testid="opportunities-filter-close"
        />
      </SimpleGrid>
      <Paper withBorder p="xs">
        <OpportunitiesTable query={query} testId="opportunities-table" empty={t("opportunities.empty")} />
      </Paper>
      <OpportunityDrawer opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
