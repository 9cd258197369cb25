import { Button, Group, MultiSelect, Paper, Select } from "@mantine/core";
import { DatePickerInput, type DatesRangeValue } from "@mantine/dates";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { useEmails } from "../../api/queries/emails";
import { useJourneys } from "../../api/queries/journeys";
import { useSegments } from "../../api/queries/segments";
import { lastDays, useReportFilters } from "./filters";

const DAY = "YYYY-MM-DD";

function presets(t: (key: string) => string) {
  const today = dayjs();
  const quarter = today.month() - (today.month() % 3);
  return [
    { value: lastDays(7), label: t("reports.filters.last_7") },
    { value: lastDays(30), label: t("reports.filters.last_30") },
    { value: lastDays(90), label: t("reports.filters.last_90") },
    { value: [today.startOf("month").format(DAY), today.format(DAY)], label: t("reports.filters.this_month") },
    {
      value: [today.month(quarter).startOf("month").format(DAY), today.format(DAY)],
      label: t("reports.filters.this_quarter"),
    },
    { value: [today.startOf("year").format(DAY), today.format(DAY)], label: t("reports.filters.this_year") },
  ] as { value: [string, string]; label: string }[];
}

/** The filters of every report page: the period (with presets), journeys, emails, an audience.
 * `show` leaves out those a page does not use. */
export function FilterPane({ show = ["journeys", "emails", "segment"] }: { show?: ("journeys" | "emails" | "segment")[] }) {
  const { t } = useTranslation();
  const { filters, setFilters } = useReportFilters();
  const journeys = useJourneys();
  const emails = useEmails();
  const segments = useSegments();
  const onPeriod = ([from, to]: DatesRangeValue<string>) => {
    if (from && to) setFilters({ from: dayjs(from).format(DAY), to: dayjs(to).format(DAY) });
  };
  // A list's picks and removals are applied one by one to the address bar's list, not as the whole
  // list the control last rendered: two picks made before the page renders the first keep both.
  const pick = (key: "journey_ids" | "email_ids") => ({
    onOptionSubmit: (value: string) =>
      setFilters((current) => ({ [key]: [...new Set([...current[key], Number(value)])] })),
    onRemove: (value: string) =>
      setFilters((current) => ({ [key]: current[key].filter((id) => id !== Number(value)) })),
    onClear: () => setFilters({ [key]: [] }),
  });
  return (
    <Paper withBorder p="sm" data-testid="report-filters">
      <Group align="end" gap="sm" wrap="wrap">
        <DatePickerInput
          type="range"
          label={t("reports.filters.period")}
          value={[filters.from, filters.to]}
          onChange={onPeriod}
          presets={presets(t)}
          valueFormat="D MMM YYYY"
          maxDate={dayjs().format(DAY)}
          allowSingleDateInRange
          w={260}
          data-testid="report-period"
        />
        {show.includes("journeys") && (
          <MultiSelect
            label={t("reports.filters.journeys")}
            placeholder={filters.journey_ids.length ? undefined : t("reports.filters.all_journeys")}
            data={(journeys.data ?? []).map((j) => ({ value: String(j.id), label: j.name }))}
            value={filters.journey_ids.map(String)}
            {...pick("journey_ids")}
            searchable
            clearable
            w={260}
            data-testid="report-journeys"
          />
        )}
        {show.includes("emails") && (
          <MultiSelect
            label={t("reports.filters.emails")}
            placeholder={filters.email_ids.length ? undefined : t("reports.filters.all_emails")}
            data={(emails.data ?? []).map((e) => ({ value: String(e.id), label: e.name }))}
            value={filters.email_ids.map(String)}
            {...pick("email_ids")}
            searchable
            clearable
            w={260}
            data-testid="report-emails"
          />
        )}
        {show.includes("segment") && (
          <Select
            label={t("reports.filters.audience")}
            placeholder={t("reports.filters.all_contacts")}
            data={(segments.data ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
            value={filters.segment_id ? String(filters.segment_id) : null}
            onChange={(value) => setFilters({ segment_id: value ? Number(value) : null })}
            searchable
            clearable
            w={220}
            data-testid="report-segment"
          />
        )}
        <Button
          variant="subtle"
          size="sm"
          onClick={() => {
            const [from, to] = lastDays(30);
            setFilters({ from, to, journey_ids: [], email_ids: [], segment_id: null });
          }}
          data-testid="report-filters-reset"
        >
          {t("reports.filters.reset")}
        </Button>
      </Group>
    </Paper>
  );
}
