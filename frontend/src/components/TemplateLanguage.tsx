// The language filter of the template pickers: the user's language first, the other a click away.
import { SegmentedControl } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { TemplateLanguage } from "../api/queries/templates";
import { LANGUAGES } from "../i18n";

/** The templates' language to show, starting with the user's. */
export function useTemplateLanguage() {
  const { i18n } = useTranslation();
  return useState<TemplateLanguage>(i18n.language === "fr" ? "fr" : "en");
}

export function TemplateLanguageFilter({ value, onChange, testId }: { value: TemplateLanguage; onChange(language: TemplateLanguage): void; testId: string }) {
  const { t } = useTranslation();
  return (
    <SegmentedControl size="xs" value={value} onChange={(v) => onChange(v as TemplateLanguage)} aria-label={t("emails.template_language")}
      data-testid={testId} data={LANGUAGES.map((l) => ({ value: l.value, label: l.label }))} />
  );
}
