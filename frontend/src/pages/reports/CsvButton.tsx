import { Button } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { reportSearch, type ReportFilters } from "./filters";

/** Downloads a report's table as CSV: the same report, the same filters, `format=csv`. */
export function CsvButton({ path, filters, extra = {}, testId }: {
  path: string;
  filters: ReportFilters;
  extra?: Record<string, string | number>;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <Button
      component="a"
      href={`${path}?${reportSearch(filters, { ...extra, format: "csv" })}`}
      download
      variant="default"
      size="xs"
      leftSection={<IconDownload size={14} />}
      data-testid={testId}
    >
      {t("reports.csv")}
    </Button>
  );
}
