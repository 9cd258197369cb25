import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useContactSearch } from "../../api/queries/contacts";

/** Pick a contact by typing a name or an email (for previews and test sends). */
export function ContactPicker({ value, onChange, label }: { value: number | null; onChange: (id: number | null) => void; label?: string }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const found = useContactSearch(q);
  const options = (found.data?.items ?? []).map((c) => ({
    value: String(c.id),
    label: `${[c.first_name, c.last_name].filter(Boolean).join(" ") || c.email} · ${c.email}`,
  }));
  return (
    <Select
      w={360}
      label={label}
      placeholder={t("emails.sample_contact")}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      data={options}
      value={value ? String(value) : null}
      onChange={(v) => onChange(v ? Number(v) : null)}
      nothingFoundMessage={t("contacts.empty_filtered")}
      data-testid="contact-picker"
    />
  );
}
