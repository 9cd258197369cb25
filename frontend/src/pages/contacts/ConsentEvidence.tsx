// What backs a consent change: for one an import brought, the file, and where and when the consent was given;
// for one a form brought, the exact words the person agreed to, their version, the form and the address.
import { Anchor, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { formatDate } from "../../components/format";

export function ConsentEvidence({ event }: { event: Schemas["ConsentEventOut"] }) {
  const { t } = useTranslation();
  if (!event.import_filename && !event.source && !event.wording && !event.form_id) return null;
  return (
    <Stack gap={0} data-testid="consent-history-evidence">
      {event.source && <Text size="sm">{event.source}</Text>}
      {event.obtained_at && (
        <Text size="xs" c="dimmed">
          {t("contacts.consent_obtained_at", { date: formatDate(event.obtained_at.slice(0, 10)) })}
        </Text>
      )}
      {event.wording && (
        <Text size="sm" fs="italic" data-testid="consent-history-wording">
          {t("contacts.consent_wording", { wording: event.wording })}
          {event.wording_version ? ` (${t("contacts.consent_wording_version", { version: event.wording_version })})` : ""}
        </Text>
      )}
      {event.form_id != null && (
        <Text size="xs" c="dimmed" data-testid="consent-history-form">
          <Anchor component={Link} to={`/forms/${event.form_id}`} size="xs" underline="always" data-testid="consent-history-form-link">
            {t("contacts.consent_from_form", { id: event.form_id })}
          </Anchor>
          {event.ip ? ` · ${t("contacts.consent_from_ip", { ip: event.ip })}` : ""}
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
