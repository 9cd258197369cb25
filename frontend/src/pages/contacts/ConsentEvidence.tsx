// What backs a consent change: for one an import brought, the file, and where and when the consent was given.
import { Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import { formatDate } from "../../components/format";

export function ConsentEvidence({ event }: { event: Schemas["ConsentEventOut"] }) {
  const { t } = useTranslation();
  if (!event.import_filename && !event.source) return null;
  return (
    <Stack gap={0} data-testid="consent-history-evidence">
      {event.source && <Text size="sm">{event.source}</Text>}
      {event.obtained_at && (
        <Text size="xs" c="dimmed">
          {t("contacts.consent_obtained_at", { date: formatDate(event.obtained_at.slice(0, 10)) })}
        </Text>
      )}
      {event.import_filename && (
        <Text size="xs" c="dimmed">
          {t("contacts.consent_from_import", { file: event.import_filename, id: event.import_job_id?.slice(0, 8) ?? "" })}
        </Text>
      )}
    </Stack>
  );
}
