import { Alert, Button, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { createAccount, updateAccount, type Account, type AccountIn, type AccountPatch } from "../../api/queries/accounts";
import { COUNTRY_CODES, countryName } from "../../components/vocabulary";

type CompanyValues = {
  name: string;
  website: string;
  domain: string;
  industry: string;
  size: number | "";
  annual_revenue: number | "";
  country: string | null;
  city: string;
};

function valuesOf(account?: Account): CompanyValues {
  return {
    name: account?.name ?? "",
    website: account?.website ?? "",
    domain: account?.domain ?? "",
    industry: account?.industry ?? "",
    size: account?.size ?? "",
    annual_revenue: account?.annual_revenue ?? "",
    country: account?.country ?? null,
    city: account?.city ?? "",
  };
}

/** Empty inputs become null; on edit, only what changed is sent. */
function bodyOf(values: CompanyValues, before?: CompanyValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values) as [keyof CompanyValues, unknown][]) {
    const clean = value === "" || (typeof value === "string" && value.trim() === "") ? null : value;
    const old = before ? (before[key] === "" ? null : before[key]) : null;
    if (before ? clean !== old : clean !== null) body[key] = clean;
  }
  return body;
}

/** Create or edit a company: its name, its web address (the domain imports match on) and its
 * firmographics (what the firmographic scoring model reads). */
export function CompanyForm({ account, onSaved, onCancel }: {
  account?: Account;
  onSaved: (saved: Account) => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const initial = valuesOf(account);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<CompanyValues>({
    mode: "controlled",
    initialValues: initial,
    validate: { name: (v) => (v.trim() ? null : t("companies.form.name_required")) },
  });

  async function submit(values: CompanyValues) {
    setFailure(null);
    const body = bodyOf(values, account ? initial : undefined);
    try {
      onSaved(account ? await updateAccount(account.id, body as AccountPatch) : await createAccount(body as AccountIn));
    } catch (error) {
      if (error instanceof ApiError && error.field && error.field in form.values) {
        form.setFieldError(error.field, error.message);
        return;
      }
      setFailure((error as Error).message);
    }
  }

  const countries: { value: string; label: string }[] = COUNTRY_CODES.map((code) => ({
    value: code,
    label: `${countryName(code, i18n.language)} (${code})`,
  }));
  if (initial.country && !COUNTRY_CODES.includes(initial.country as never))
    countries.push({ value: initial.country, label: countryName(initial.country, i18n.language) });

  return (
    <form onSubmit={form.onSubmit(submit)} noValidate data-testid="company-form">
      <Stack gap="sm">
        {failure && <Alert color="red" data-testid="company-form-error">{failure}</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t("companies.fields.name")} required data-testid="company-name-input" {...form.getInputProps("name")} />
          <TextInput label={t("companies.fields.industry")} data-testid="company-industry-input" {...form.getInputProps("industry")} />
          <TextInput
            label={t("companies.fields.website")}
            placeholder={t("companies.form.website_placeholder")}
            data-testid="company-website-input"
            {...form.getInputProps("website")}
          />
          <TextInput
            label={t("companies.fields.domain")}
            description={t("companies.form.domain_hint")}
            placeholder={t("companies.form.domain_placeholder")}
            data-testid="company-domain-input"
            {...form.getInputProps("domain")}
          />
          <NumberInput
            label={t("companies.fields.size")}
            min={0}
            allowDecimal={false}
            thousandSeparator=" "
            data-testid="company-size-input"
            {...form.getInputProps("size")}
          />
          <NumberInput
            label={t("companies.fields.annual_revenue")}
            min={0}
            thousandSeparator=" "
            data-testid="company-revenue-input"
            {...form.getInputProps("annual_revenue")}
          />
          <Select
            label={t("companies.fields.country")}
            searchable
            clearable
            data={countries}
            data-testid="company-country-input"
            {...form.getInputProps("country")}
          />
          <TextInput label={t("companies.fields.city")} data-testid="company-city-input" {...form.getInputProps("city")} />
        </SimpleGrid>
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel} data-testid="company-cancel">{t("common.cancel")}</Button>
          <Button type="submit" loading={form.submitting} data-testid="company-save">
            {account ? t("common.save") : t("companies.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
