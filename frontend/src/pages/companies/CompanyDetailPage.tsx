import { Anchor, Badge, Button, Card, Grid, Group, Loader, Modal, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconEdit, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { keys, deleteAccount, useAccount, useAccountScores, type Account, type GroupScore } from "../../api/queries/accounts";
import { keys as contactKeys, useContacts } from "../../api/queries/contacts";
import { useAccountOpportunities } from "../../api/queries/pipeline";
import { OpportunitiesSection } from "../opportunities/OpportunitiesSection";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatMoney, formatNumber } from "../../components/format";
import { STAGE_COLORS, countryName } from "../../components/vocabulary";
import { GRADE_COLORS } from "../scoring/model";
import { CompanyForm } from "./CompanyForm";

function Field({ label, value, testId }: { label: string; value: React.ReactNode; testId: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" data-testid={testId}>{value || "—"}</Text>
    </div>
  );
}

/** One model's scores over the company's contacts: average, best, and how many have each grade. */
function ScoreSummary({ score }: { score: GroupScore }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="sm" data-testid={`company-score-${score.key}`}>
      <Group justify="space-between" mb={4}>
        <Text fw={600}>{score.model}</Text>
        {score.kind === "firmographic" && <Badge variant="light">{t("companies.firmographic")}</Badge>}
      </Group>
      <Group gap="xl">
        <div>
          <Text size="xs" c="dimmed">{t("companies.average_score")}</Text>
          <Text fw={700} size="lg" data-testid={`company-score-${score.key}-average`}>
            {formatNumber(score.average, { maximumFractionDigits: 1 })}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">{t("companies.best_score")}</Text>
          <Text fw={700} size="lg" data-testid={`company-score-${score.key}-max`}>{formatNumber(score.max)}</Text>
        </div>
      </Group>
      <Group gap={6} mt="xs" aria-label={t("companies.grade_distribution")}>
        {score.grades.map((g, i) => (
          <Badge
            key={g.grade}
            color={GRADE_COLORS[Math.min(i, GRADE_COLORS.length - 1)]}
            variant={g.count ? "filled" : "outline"}
            data-testid={`company-score-${score.key}-grade-${g.grade}`}
          >
            {t("companies.grade_count", { grade: g.grade, count: g.count })}
          </Badge>
        ))}
      </Group>
    </Card>
  );
}

export function CompanyDetailPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const accountId = Number(useParams().id);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const account = useAccount(accountId);
  const scores = useAccountScores(accountId);
  const contacts = useContacts({ account_id: accountId, sort: "last_name" });
  const opportunities = useAccountOpportunities(accountId);

  function remove(a: Account) {
    confirmDanger({
      title: t("companies.delete_title", { name: a.name }),
      message: t("companies.delete_warning", { count: a.contacts, opportunities: opportunities.data?.total ?? 0 }),
      confirm: t("companies.delete_confirm"),
      keep: t("companies.delete_keep"),
      testId: "company-delete-confirm",
      onConfirm: async () => {
        await deleteAccount(a.id);
        void queries.invalidateQueries({ queryKey: keys.all });
        void queries.invalidateQueries({ queryKey: contactKeys.all });
        notifications.show({ color: "green", message: t("companies.deleted", { name: a.name }) });
        navigate("/companies");
      },
    });
  }

  if (account.isLoading) return <Loader />;
  if (account.error || !account.data)
    return (
      <Stack>
        <ErrorAlert error={account.error} testId="company-error" />
        <Anchor component={Link} to="/companies">{t("companies.back")}</Anchor>
      </Stack>
    );
  const a = account.data;

  return (
    <Stack>
      <Anchor component={Link} to="/companies" size="sm" data-testid="company-back">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t("companies.back")}
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} data-testid="company-name">{a.name}</Title>
          {a.website && (
            <Anchor href={a.website} target="_blank" rel="noopener noreferrer" size="sm" data-testid="company-website">
              {a.domain ?? a.website}
            </Anchor>
          )}
        </div>
        {canWrite && (
          <Group gap="xs">
            <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => remove(a)} data-testid="company-delete">
              {t("common.delete")}
            </Button>
            <Button leftSection={<IconEdit size={16} />} onClick={() => setEditing(true)} data-testid="company-edit">
              {t("common.edit")}
            </Button>
          </Group>
        )}
      </Group>

      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <Card withBorder>
              <Title order={4} mb="sm">{t("companies.details")}</Title>
              <SimpleGrid cols={2} spacing="sm">
                <Field label={t("companies.fields.industry")} value={a.industry} testId="company-field-industry" />
                <Field label={t("companies.fields.size")} value={a.size == null ? "" : formatNumber(a.size)} testId="company-field-size" />
                <Field
                  label={t("companies.fields.annual_revenue")}
                  value={a.annual_revenue == null ? "" : formatMoney(a.annual_revenue)}
                  testId="company-field-revenue"
                />
                <Field label={t("companies.fields.country")} value={countryName(a.country, i18n.language)} testId="company-field-country" />
                <Field label={t("companies.fields.city")} value={a.city} testId="company-field-city" />
                <Field label={t("companies.fields.domain")} value={a.domain} testId="company-field-domain" />
              </SimpleGrid>
            </Card>
            <Stack gap="xs" data-testid="company-scores">
              <Title order={4}>{t("companies.scores")}</Title>
              <Text size="sm" c="dimmed">{t("companies.scores_hint", { count: a.contacts })}</Text>
              {scores.error && <ErrorAlert error={scores.error} testId="company-scores-error" />}
              {scores.data?.map((score) => <ScoreSummary key={score.model_id} score={score} />)}
            </Stack>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <Title order={4}>{t("companies.contacts_title", { count: a.contacts })}</Title>
            <DataTable
              testId="company-contacts"
              rows={contacts.items}
              rowKey={(c) => c.id}
              rowProps={(c) => ({ "data-testid": `company-contact-${c.id}` })}
              onRowClick={(c) => navigate(`/contacts/${c.id}`)}
              loading={contacts.isLoading}
              error={contacts.error}
              pager={contacts.pager}
              empty={{ testId: "company-contacts-empty", message: t("companies.no_contacts") }}
              columns={[
                { key: "name", header: t("contacts.name"), render: (c) => (
                  <Anchor component={Link} to={`/contacts/${c.id}`} onClick={(e) => e.stopPropagation()} data-testid="company-contact-name">
                    {[c.first_name, c.last_name].filter(Boolean).join(" ") || t("contacts.no_name")}
                  </Anchor>
                ) },
                { key: "email", header: t("fields.email"), render: (c) => <span data-testid="company-contact-email">{c.email}</span> },
                { key: "job_title", header: t("fields.job_title"), render: (c) => c.job_title },
                { key: "lifecycle_stage", header: t("fields.lifecycle_stage"), render: (c) => (
                  <Badge color={STAGE_COLORS[c.lifecycle_stage]} variant="light">{t(`stages.${c.lifecycle_stage}`)}</Badge>
                ) },
              ]}
            />
            <OpportunitiesSection accountId={a.id} />
          </Stack>
        </Grid.Col>
      </Grid>

      <Modal opened={editing} onClose={() => setEditing(false)} title={t("companies.edit_title", { name: a.name })} size="lg">
        <CompanyForm
          account={a}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            queries.setQueryData(keys.account(a.id), saved);
            void queries.invalidateQueries({ queryKey: keys.all });
            void queries.invalidateQueries({ queryKey: keys.scores(a.id) });
            notifications.show({ color: "green", message: t("companies.saved") });
          }}
        />
      </Modal>
    </Stack>
  );
}
