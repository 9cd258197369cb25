import {
  Alert,
  Button,
  Checkbox,
  Divider,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TextInput,
} from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Contact, type ContactIn, type ContactPatch, type CustomField } from "../../api/client";
import { createContact, updateContact } from "../../api/queries/contacts";
import { useCustomFields } from "../../api/queries/fields";
import {
  CONSENT_LEVELS,
  COUNTRY_CODES,
  GENDERS,
  LANGUAGE_CODES,
  STAGES,
  countryName,
  languageName,
} from "../../components/vocabulary";

export type ContactValues = {
  email: string;
  first_name: string;
  last_name: string;
  phone: string;
  job_title: string;
  company: string;
  country: string | null;
  city: string;
  language: string | null;
  birth_date: string | null;
  gender: string | null;
  lifecycle_stage: string;
  source: string;
  consent_level: string;
  email_opt_in: boolean;
  sms_opt_in: boolean;
  unsubscribed: boolean;
  custom: Record<string, string | number | boolean | null>;
};

export function valuesOf(contact?: Contact): ContactValues {
  return {
    email: contact?.email ?? "",
    first_name: contact?.first_name ?? "",
    last_name: contact?.last_name ?? "",
    phone: contact?.phone ?? "",
    job_title: contact?.job_title ?? "",
    company: contact?.account_name ?? "",
    country: contact?.country ?? null,
    city: contact?.city ?? "",
    language: contact?.language ?? null,
    birth_date: contact?.birth_date ?? null,
    gender: contact?.gender ?? null,
    lifecycle_stage: contact?.lifecycle_stage ?? "subscriber",
    source: contact?.source ?? "",
    consent_level: contact?.consent_level ?? "none",
    email_opt_in: contact?.email_opt_in ?? false,
    sms_opt_in: contact?.sms_opt_in ?? false,
    unsubscribed: contact?.unsubscribed ?? false,
    custom: (contact?.custom as ContactValues["custom"]) ?? {},
  };
}

/** The body to send: empty texts become null, and on edit only what changed. */
export function bodyOf(values: ContactValues, before?: ContactValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values) as [keyof ContactValues, unknown][]) {
    const clean = typeof value === "string" && value.trim() === "" ? null : value;
    if (!before) {
      if (clean !== null && !(key === "custom" && Object.keys(clean as object).length === 0)) body[key] = clean;
      continue;
    }
    const old = typeof before[key] === "string" && (before[key] as string).trim() === "" ? null : before[key];
    if (JSON.stringify(clean) !== JSON.stringify(old)) body[key] = clean;
  }
  if (before && "custom" in body) {
    const custom = { ...(values.custom ?? {}) };
    for (const name of Object.keys(before.custom ?? {})) if (!(name in custom)) custom[name] = null;
    body.custom = custom;
  }
  return body;
}

function CustomInput({ field, value, onChange, error }: {
  field: CustomField;
  value: string | number | boolean | null | undefined;
  onChange: (value: string | number | boolean | null) => void;
  error?: string;
}) {
  const common = { label: field.label, error, "data-testid": `contact-custom-${field.name}` };
  switch (field.type) {
    case "number":
      return <NumberInput {...common} value={(value as number) ?? ""} onChange={(v) => onChange(v === "" ? null : Number(v))} />;
    case "boolean":
      return <Checkbox mt="lg" {...common} checked={Boolean(value)} onChange={(e) => onChange(e.currentTarget.checked)} />;
    case "date":
      return <DateInput {...common} valueFormat="YYYY-MM-DD" clearable value={(value as string) ?? null} onChange={(v) => onChange(v)} />;
    case "choice":
      return <Select {...common} clearable data={field.choices} value={(value as string) ?? null} onChange={(v) => onChange(v)} />;
    default:
      return <TextInput {...common} value={(value as string) ?? ""} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}

export function ContactForm({
  contact,
  onSaved,
  onCancel,
}: {
  contact?: Contact;
  onSaved: (saved: Contact, before?: ContactValues) => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const initial = valuesOf(contact);
  const [failure, setFailure] = useState<string | null>(null);
  const fields = useCustomFields();
  const form = useForm<ContactValues>({
    mode: "controlled",
    initialValues: initial,
    validate: {
      email: (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.trim()) ? null : t("contacts.form.email_invalid")),
    },
  });

  async function submit(values: ContactValues) {
    setFailure(null);
    const body = bodyOf(values, contact ? initial : undefined);
    try {
      const saved = contact
        ? await updateContact(contact.id, body as ContactPatch)
        : await createContact(body as ContactIn);
      onSaved(saved, contact ? initial : undefined);
    } catch (error) {
      if (error instanceof ApiError && error.field) {
        const path = error.field.startsWith("custom.") ? `custom.${error.field.slice(7)}` : error.field;
        if (path in form.values || path.startsWith("custom.")) {
          form.setFieldError(path, error.message);
          return;
        }
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
  const languages = LANGUAGE_CODES.map((code) => ({ value: code, label: languageName(code, i18n.language) }));

  return (
    <form onSubmit={form.onSubmit(submit)} noValidate data-testid="contact-form">
      <Stack gap="sm">
        {failure && (
          <Alert color="red" data-testid="contact-form-error">
            {failure}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t("fields.email")} required data-testid="contact-email" {...form.getInputProps("email")} />
          <TextInput label={t("fields.phone")} placeholder="+33 6 12 34 56 78" data-testid="contact-phone" {...form.getInputProps("phone")} />
          <TextInput label={t("fields.first_name")} data-testid="contact-first-name" {...form.getInputProps("first_name")} />
          <TextInput label={t("fields.last_name")} data-testid="contact-last-name" {...form.getInputProps("last_name")} />
          <TextInput label={t("fields.job_title")} data-testid="contact-job-title" {...form.getInputProps("job_title")} />
          <TextInput label={t("fields.company")} description={t("contacts.form.company_hint")} data-testid="contact-company" {...form.getInputProps("company")} />
          <Select label={t("fields.country")} searchable clearable data={countries} data-testid="contact-country" {...form.getInputProps("country")} />
          <TextInput label={t("fields.city")} data-testid="contact-city" {...form.getInputProps("city")} />
          <Select label={t("fields.language")} clearable data={languages} data-testid="contact-language" {...form.getInputProps("language")} />
          <DateInput label={t("fields.birth_date")} valueFormat="YYYY-MM-DD" clearable data-testid="contact-birth-date" {...form.getInputProps("birth_date")} />
          <Select label={t("fields.gender")} clearable data={GENDERS.map((g) => ({ value: g, label: t(`genders.${g}`) }))} data-testid="contact-gender" {...form.getInputProps("gender")} />
          <Select label={t("fields.lifecycle_stage")} allowDeselect={false} data={STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))} data-testid="contact-stage" {...form.getInputProps("lifecycle_stage")} />
          <TextInput label={t("fields.source")} data-testid="contact-source" {...form.getInputProps("source")} />
        </SimpleGrid>
        <Divider label={t("contacts.consent")} labelPosition="left" />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t("fields.consent_level")}
            description={t("contacts.form.consent_hint")}
            allowDeselect={false}
            data={CONSENT_LEVELS.map((c) => ({ value: c, label: t(`consent.${c}`) }))}
            data-testid="contact-consent-level"
            {...form.getInputProps("consent_level")}
          />
          <Stack gap={8} mt="lg">
            <Switch label={t("fields.email_opt_in")} data-testid="contact-email-opt-in" {...form.getInputProps("email_opt_in", { type: "checkbox" })} />
            <Switch label={t("fields.sms_opt_in")} data-testid="contact-sms-opt-in" {...form.getInputProps("sms_opt_in", { type: "checkbox" })} />
            <Switch label={t("fields.unsubscribed")} data-testid="contact-unsubscribed" {...form.getInputProps("unsubscribed", { type: "checkbox" })} />
          </Stack>
        </SimpleGrid>
        {(fields.data?.length ?? 0) > 0 && (
          <>
            <Divider label={t("contacts.custom_fields")} labelPosition="left" />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {fields.data!.map((field) => (
                <CustomInput
                  key={field.id}
                  field={field}
                  value={form.values.custom?.[field.name]}
                  error={form.errors[`custom.${field.name}`] as string | undefined}
                  onChange={(value) => form.setFieldValue("custom", { ...form.values.custom, [field.name]: value })}
                />
              ))}
            </SimpleGrid>
          </>
        )}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel} data-testid="contact-cancel">
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={form.submitting} data-testid="contact-save">
            {contact ? t("common.save") : t("contacts.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
