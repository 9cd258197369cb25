import { Alert, Button, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { useForm } from "@mantine/form";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { useAccounts } from "../../api/queries/accounts";
import { useContactSearch } from "../../api/queries/contacts";
import { useJourneys } from "../../api/queries/journeys";
import { useCampaigns } from "../../api/queries/campaigns";
import {
  OPPORTUNITY_STAGES,
  ORIGIN_KINDS,
  createOpportunity,
  updateOpportunity,
  type Opportunity,
  type OpportunityIn,
  type OpportunityStage,
  type Origin,
  type OriginKind,
} from "../../api/queries/opportunities";

type Values = {
  name: string;
  contact_id: string | null;
  account_id: string | null;
  stage: OpportunityStage;
  budget: number | "";
  estimated_revenue: number | "";
  actual_revenue: number | "";
  close_date: string | null;
  origin_kind: OriginKind | null;
  origin_journey_id: string | null;
  origin_campaign_id: string | null;
};

function valuesOf(o: Opportunity | undefined, contactId?: number, accountId?: number): Values {
  return {
    name: o?.name ?? "",
    contact_id: o ? String(o.contact_id) : contactId ? String(contactId) : null,
    account_id: o?.account_id ? String(o.account_id) : accountId ? String(accountId) : null,
    stage: (o?.stage as OpportunityStage | undefined) ?? "qualify",
    budget: o?.budget ?? "",
    estimated_revenue: o?.estimated_revenue ?? "",
    actual_revenue: o?.actual_revenue ?? "",
    close_date: o?.close_date ?? null,
    origin_kind: o?.origin?.kind ?? null,
    origin_journey_id: o?.origin?.journey_id ? String(o.origin.journey_id) : null,
    origin_campaign_id: o?.origin?.campaign_id ? String(o.origin.campaign_id) : null,
  };
}

const amount = (v: number | "") => (v === "" ? null : v);
const id = (v: string | null) => (v ? Number(v) : null);

/** The origin as the API takes it; the form and page ids it had are kept while its kind stays. */
function originOf(values: Values, before?: Origin | null): Origin | null {
  if (!values.origin_kind) return null;
  const kept = before && before.kind === values.origin_kind ? { form_id: before.form_id, page_id: before.page_id } : {};
  const outbound = values.origin_kind === "outbound";
  return {
    kind: values.origin_kind,
    ...kept,
    journey_id: outbound ? id(values.origin_journey_id) : null,
    campaign_id: outbound ? id(values.origin_campaign_id) : null,
  };
}

/** Create or edit an opportunity. A new one takes its lead's origin unless one is picked here. */
export function OpportunityForm({ opportunity, contactId, accountId, onSaved, onCancel }: {
  opportunity?: Opportunity;
  contactId?: number;
  accountId?: number;
  onSaved: (saved: Opportunity) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [failure, setFailure] = useState<string | null>(null);
  const [contactSearch, setContactSearch] = useState("");
  const [accountSearch, setAccountSearch] = useState("");
  const [cq] = useDebouncedValue(contactSearch, 250);
  const [aq] = useDebouncedValue(accountSearch, 250);
  const people = useContactSearch(cq);
  const companies = useAccounts(aq);
  const journeys = useJourneys();
  const campaigns = useCampaigns();
  const initial = valuesOf(opportunity, contactId, accountId);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: initial,
    validate: {
      name: (v) => (v.trim() ? null : t("opportunities.form.name_required")),
      contact_id: (v) => (v ? null : t("opportunities.form.contact_required")),
      budget: (v) => (v !== "" && v < 0 ? t("opportunities.form.not_negative") : null),
      estimated_revenue: (v) => (v !== "" && v < 0 ? t("opportunities.form.not_negative") : null),
      actual_revenue: (v) => (v !== "" && v < 0 ? t("opportunities.form.not_negative") : null),
    },
    validateInputOnBlur: true,
  });

  const contactOptions = (people.data?.items ?? []).map((c) => ({
    value: String(c.id),
    label: `${[c.first_name, c.last_name].filter(Boolean).join(" ") || c.email} · ${c.email}`,
  }));
  if (form.values.contact_id && !contactOptions.some((o) => o.value === form.values.contact_id))
    contactOptions.unshift({ value: form.values.contact_id, label: opportunity?.contact_name ?? `#${form.values.contact_id}` });
  const accountOptions = (companies.items ?? []).map((a) => ({ value: String(a.id), label: a.name }));
  if (form.values.account_id && !accountOptions.some((o) => o.value === form.values.account_id))
    accountOptions.unshift({ value: form.values.account_id, label: opportunity?.account_name ?? `#${form.values.account_id}` });

  async function submit(values: Values) {
    setFailure(null);
    const body = {
      name: values.name.trim(),
      contact_id: Number(values.contact_id),
      account_id: id(values.account_id),
      stage: values.stage,
      budget: amount(values.budget),
      estimated_revenue: amount(values.estimated_revenue),
      actual_revenue: amount(values.actual_revenue),
      close_date: values.close_date || null,
    };
    const origin = originOf(values, opportunity?.origin);
    try {
      if (opportunity) {
        onSaved(await updateOpportunity(opportunity.id, { ...body, origin }));
      } else {
        // No origin picked: the server copies the lead's.
        onSaved(await createOpportunity({ ...body, ...(origin ? { origin } : {}) } as OpportunityIn));
      }
    } catch (error) {
      const field = error instanceof ApiError ? error.field : null;
      if (field && field in form.values) {
        form.setFieldError(field, (error as Error).message);
        return;
      }
      setFailure((error as Error).message);
    }
  }

  return (
    <form onSubmit={form.onSubmit(submit)} noValidate data-testid="opportunity-form">
      <Stack gap="sm">
        {failure && <Alert color="red" data-testid="opportunity-form-error">{failure}</Alert>}
        <TextInput label={t("opportunities.fields.name")} required data-testid="opportunity-name" {...form.getInputProps("name")} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t("opportunities.fields.contact")}
            required
            searchable
            searchValue={contactSearch}
            onSearchChange={setContactSearch}
            filter={({ options }) => options}
            data={contactOptions}
            nothingFoundMessage={t("contacts.empty_filtered")}
            data-testid="opportunity-contact"
            {...form.getInputProps("contact_id")}
          />
          <Select
            label={t("opportunities.fields.account")}
            description={t("opportunities.form.account_hint")}
            searchable
            clearable
            searchValue={accountSearch}
            onSearchChange={setAccountSearch}
            filter={({ options }) => options}
            data={accountOptions}
            data-testid="opportunity-account"
            {...form.getInputProps("account_id")}
          />
          <Select
            label={t("opportunities.fields.stage")}
            allowDeselect={false}
            data={OPPORTUNITY_STAGES.map((s) => ({ value: s, label: t(`companies.opportunity_stages.${s}`) }))}
            data-testid="opportunity-stage"
            {...form.getInputProps("stage")}
          />
          <DateInput
            label={t("opportunities.fields.close_date")}
            valueFormat="YYYY-MM-DD"
            clearable
            data-testid="opportunity-close-date"
            {...form.getInputProps("close_date")}
          />
          <NumberInput label={t("opportunities.fields.budget")} min={0} thousandSeparator=" " data-testid="opportunity-budget" {...form.getInputProps("budget")} />
          <NumberInput label={t("opportunities.fields.estimated_revenue")} min={0} thousandSeparator=" " data-testid="opportunity-estimated" {...form.getInputProps("estimated_revenue")} />
          <NumberInput label={t("opportunities.fields.actual_revenue")} min={0} thousandSeparator=" " data-testid="opportunity-actual" {...form.getInputProps("actual_revenue")} />
          <Select
            label={t("opportunities.fields.origin")}
            description={opportunity ? undefined : t("opportunities.form.origin_hint")}
            clearable
            data={ORIGIN_KINDS.map((k) => ({ value: k, label: t(`opportunities.origins.${k}`) }))}
            data-testid="opportunity-origin"
            {...form.getInputProps("origin_kind")}
          />
          {form.values.origin_kind === "outbound" && (
            <>
              <Select
                label={t("opportunities.fields.journey")}
                clearable
                searchable
                data={(journeys.data ?? []).map((j) => ({ value: String(j.id), label: j.name }))}
                data-testid="opportunity-journey"
                {...form.getInputProps("origin_journey_id")}
              />
              <Select
                label={t("opportunities.fields.campaign")}
                clearable
                searchable
                data={(campaigns.items ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
                data-testid="opportunity-campaign"
                {...form.getInputProps("origin_campaign_id")}
              />
            </>
          )}
        </SimpleGrid>
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel} data-testid="opportunity-cancel">{t("common.cancel")}</Button>
          <Button type="submit" loading={form.submitting} data-testid="opportunity-save">
            {opportunity ? t("common.save") : t("common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
