// What visitors sent, latest first: who (a link to the contact), what they typed, and what became
// of it. Answers held for review (sent without JavaScript) are accepted here, one by one.
import { Anchor, Badge, SegmentedControl, Stack, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconCheck } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { acceptSubmission, keys, useSubmissions, type Submission, type SubmissionStatus } from "../../api/queries/forms";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatDateTime } from "../../components/format";

const COLORS: Record<SubmissionStatus, string> = { accepted: "green", pending: "yellow", held: "orange", spam: "red", rejected: "gray" };
const FILTERS = ["all", "held", "pending", "spam"] as const;

function summary(values: Submission["values"]): string {
  return Object.entries(values)
    .filter(([, v]) => v !== null && v !== "" && v !== false)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`)
    .join(" · ");
}

export function SubmissionsTab({ formId }: { formId: number }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>("all");
  const list = useSubmissions(formId, filter === "all" ? null : filter);

  // Accepting applies the answers for real: the contact is created or updated and journeys may start.
  function accept(submission: Submission) {
    modals.openConfirmModal({
      title: t("forms.submissions.accept_title"),
      children: <Text size="sm">{t("forms.submissions.accept_warning")}</Text>,
      labels: { confirm: t("forms.submissions.accept"), cancel: t("common.cancel") },
      confirmProps: { "data-testid": "submission-accept-confirm" } as never,
      onConfirm: async () => {
        try {
          await acceptSubmission(formId, submission.id);
          void queries.invalidateQueries({ queryKey: keys.submissions(formId) });
          void queries.invalidateQueries({ queryKey: keys.stats(formId) });
          notifications.show({ color: "green", message: t("forms.submissions.accepted_done") });
        } catch (error) {
          notifications.show({ color: "red", message: (error as Error).message });
        }
      },
    });
  }

  return (
    <Stack>
      <SegmentedControl value={filter} onChange={(v) => setFilter(v as typeof filter)} data-testid="submissions-filter" style={{ alignSelf: "flex-start" }}
        aria-label={t("forms.submissions.filter")} data={FILTERS.map((f) => ({ value: f, label: t(`forms.submissions.filters.${f}`) }))} />
      <DataTable
        testId="submissions-table"
        rows={list.items}
        rowKey={(s) => s.id}
        rowProps={(s) => ({ "data-testid": `submission-row-${s.id}` })}
        loading={list.isLoading}
        error={list.error}
        pager={list.pager}
        empty={{ message: t(filter === "held" ? "forms.submissions.none_held" : "forms.submissions.none") }}
        columns={[
          { key: "at", header: t("forms.submissions.received"), render: (s) => formatDateTime(s.created_at) },
          { key: "status", header: t("forms.status_label"), render: (s) => (
            <Badge variant="light" color={COLORS[s.status]} data-testid="submission-status">{t(`forms.submissions.status.${s.status}`)}</Badge>
          ) },
          { key: "contact", header: t("forms.submissions.contact"), render: (s) => (s.contact_id ? (
            <Anchor component={Link} to={`/contacts/${s.contact_id}`} data-testid="submission-contact">
              {t(s.new_contact ? "forms.submissions.new_contact" : "forms.submissions.known_contact")}
            </Anchor>
          ) : <Text size="sm" c="dimmed">{s.spam_reason ? t("forms.submissions.spam_reason", { reason: s.spam_reason }) : "—"}</Text>) },
          { key: "values", header: t("forms.submissions.values"), render: (s) => <Text size="sm" lineClamp={2}>{summary(s.values)}</Text> },
        ]}
        actions={canWrite ? [{
          key: "accept", label: t("forms.submissions.accept"), icon: <IconCheck size={16} />, color: "green", testId: "submission-accept",
          hidden: (s) => s.status !== "held", onClick: accept,
        }] : []}
      />
    </Stack>
  );
}
