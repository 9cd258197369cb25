import {
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconDownload, IconEdit, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { type Contact } from "../../api/client";
import { eraseContact, keys, updateContact, useConsentHistory, useContact } from "../../api/queries/contacts";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatDateTime, formatMoney, formatNumber } from "../../components/format";
import { STAGE_COLORS, countryName, languageName } from "../../components/vocabulary";
import { ContactForm, bodyOf, valuesOf, type ContactValues } from "./ContactForm";
import { ConsentEvidence } from "./ConsentEvidence";
import { OpportunitiesSection } from "../opportunities/OpportunitiesSection";
import { RfmPanel } from "./RfmPanel";
import { ScorePanel } from "./ScorePanel";
import { Timeline } from "./Timeline";

function Field({ label, value, testId }: { label: string; value: React.ReactNode; testId: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" data-testid={testId}>
        {value || "—"}
      </Text>
    </div>
  );
}

function Metric({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

export function ContactDetailPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const contactId = Number(useParams().id);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const contact = useContact(contactId);
  const history = useConsentHistory(contactId);

  function refresh(saved?: Contact) {
    if (saved) queries.setQueryData(keys.contact(contactId), saved);
    void queries.invalidateQueries({ queryKey: keys.contact(contactId) });
    void queries.invalidateQueries({ queryKey: keys.all });
  }

  function saved(next: Contact, before?: ContactValues) {
    setEditing(false);
    refresh(next);
    if (!before) return;
    const undo = bodyOf(before, valuesOf(next));
    const id = notifications.show({
      color: "green",
      message: (
        <Group justify="space-between">
          <Text size="sm">{t("contacts.saved")}</Text>
          <Button
            size="compact-xs"
            variant="light"
            data-testid="contact-undo"
            onClick={async () => {
              notifications.hide(id);
              refresh(await updateContact(contactId, undo));
              notifications.show({ message: t("contacts.undone") });
            }}
          >
            {t("common.undo")}
          </Button>
        </Group>
      ),
    });
  }

  function erase(c: Contact) {
    confirmDanger({
      title: t("contacts.erase_title"),
      message: t("contacts.erase_warning", { email: c.email }),
      confirm: t("contacts.erase_confirm"),
      testId: "contact-erase-confirm",
      onConfirm: async () => {
        await eraseContact(contactId);
        void queries.invalidateQueries({ queryKey: keys.all });
        notifications.show({ color: "green", message: t("contacts.erased", { email: c.email }) });
        navigate("/contacts");
      },
    });
  }

  if (contact.isLoading) return <Loader />;
  if (contact.error || !contact.data)
    return (
      <Stack>
        <ErrorAlert error={contact.error} testId="contact-error" />
        <Anchor component={Link} to="/contacts">
          {t("contacts.back")}
        </Anchor>
      </Stack>
    );
  const c = contact.data;
  const name = [c.first_name, c.last_name].filter(Boolean).join(" ") || t("contacts.no_name");

  return (
    <Stack>
      <Anchor component={Link} to="/contacts" size="sm" data-testid="contact-back">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t("contacts.back")}
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="sm">
            <Title order={2} data-testid="contact-name">
              {name}
            </Title>
            <Badge color={STAGE_COLORS[c.lifecycle_stage]} variant="light" data-testid="contact-stage-badge">
              {t(`stages.${c.lifecycle_stage}`)}
            </Badge>
          </Group>
          <Text c="dimmed" data-testid="contact-email-text">
            {c.email}
          </Text>
        </div>
        <Group gap="xs">
          <Button variant="default" leftSection={<IconDownload size={16} />} component="a" href={`/api/contacts/${c.id}/export`} download data-testid="contact-gdpr-export">
            {t("contacts.gdpr_export")}
          </Button>
          {canWrite && (
            <>
              <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => erase(c)} data-testid="contact-erase">
                {t("contacts.erase")}
              </Button>
              <Button leftSection={<IconEdit size={16} />} onClick={() => setEditing(true)} data-testid="contact-edit">
                {t("common.edit")}
              </Button>
            </>
          )}
        </Group>
      </Group>

      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <ScorePanel contact={c} onChanged={refresh} />
            <RfmPanel contactId={c.id} />
            <Card withBorder>
              <Title order={4} mb="sm">
                {t("contacts.profile")}
              </Title>
              <SimpleGrid cols={2} spacing="sm">
                <Field label={t("fields.phone")} value={c.phone} testId="contact-field-phone" />
                <Field label={t("fields.job_title")} value={c.job_title} testId="contact-field-job-title" />
                <Field
                  label={t("fields.company")}
                  value={c.account_id && <Anchor component={Link} to={`/companies/${c.account_id}`}>{c.account_name}</Anchor>}
                  testId="contact-field-company"
                />
                <Field label={t("fields.country")} value={countryName(c.country, i18n.language)} testId="contact-field-country" />
                <Field label={t("fields.city")} value={c.city} testId="contact-field-city" />
                <Field label={t("fields.language")} value={languageName(c.language, i18n.language)} testId="contact-field-language" />
                <Field label={t("fields.birth_date")} value={formatDate(c.birth_date)} testId="contact-field-birth-date" />
                <Field label={t("fields.gender")} value={c.gender ? t(`genders.${c.gender}`) : ""} testId="contact-field-gender" />
                <Field label={t("fields.source")} value={c.source} testId="contact-field-source" />
                <Field label={t("fields.created_at")} value={formatDateTime(c.created_at)} testId="contact-field-created" />
                {Object.entries(c.custom).map(([key, value]) => (
                  <Field key={key} label={key} value={String(value)} testId={`contact-field-custom-${key}`} />
                ))}
              </SimpleGrid>
            </Card>
            <Card withBorder>
              <Title order={4} mb="sm">
                {t("contacts.consent")}
              </Title>
              <Group gap="xs">
                <Badge variant="outline" data-testid="contact-consent-level-badge">
                  {t(`consent.${c.consent_level}`)}
                </Badge>
                {c.email_opt_in && <Badge color="green">{t("fields.email_opt_in")}</Badge>}
                {c.sms_opt_in && <Badge color="green">{t("fields.sms_opt_in")}</Badge>}
                {c.unsubscribed && <Badge color="orange" data-testid="contact-unsubscribed-badge">{t("fields.unsubscribed")}</Badge>}
                {c.bounced && <Badge color="red">{t("fields.bounced")}</Badge>}
              </Group>
            </Card>
            <SimpleGrid cols={2}>
              <Metric label={t("fields.opens_30d")} value={formatNumber(c.opens_30d)} testId="contact-opens" />
              <Metric label={t("fields.clicks_30d")} value={formatNumber(c.clicks_30d)} testId="contact-clicks" />
              <Metric label={t("fields.purchases")} value={formatNumber(c.purchases)} testId="contact-purchases" />
              <Metric label={t("fields.total_revenue")} value={formatMoney(c.total_revenue)} testId="contact-revenue" />
            </SimpleGrid>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Paper withBorder p="md" mb="md">
            <OpportunitiesSection contactId={c.id} />
          </Paper>
          <Tabs defaultValue="timeline" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="timeline" data-testid="tab-timeline">
                {t("contacts.timeline")}
              </Tabs.Tab>
              <Tabs.Tab value="consent" data-testid="tab-consent-history">
                {t("contacts.consent_history")}
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="timeline" pt="md">
              <Timeline contactId={c.id} />
            </Tabs.Panel>
            <Tabs.Panel value="consent" pt="md">
              <DataTable
                testId="consent-history"
                rows={history.data}
                rowKey={(event) => event.id}
                rowProps={() => ({ "data-testid": "consent-history-row" })}
                loading={history.isLoading}
                error={history.error}
                highlightOnHover={false}
                empty={{ message: t("contacts.no_consent_history") }}
                columns={[
                  { key: "when", header: t("contacts.when"), sortValue: (e) => e.occurred_at, render: (e) => formatDateTime(e.occurred_at) },
                  { key: "what", header: t("contacts.what"), sortValue: (e) => e.field, render: (e) => t(`fields.${e.field}`) },
                  { key: "change", header: t("contacts.change"), render: (e) => `${e.old_value ?? "—"} → ${e.new_value ?? "—"}` },
                  { key: "who", header: t("contacts.who"), sortValue: (e) => e.changed_by, render: (e) => e.changed_by },
                  { key: "how", header: t("contacts.how"), render: (e) => t(`consent_how.${e.how}`, { defaultValue: e.how }) },
                  { key: "evidence", header: t("contacts.consent_evidence"), render: (e) => <ConsentEvidence event={e} /> },
                ]}
              />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
      </Grid>

      <Modal opened={editing} onClose={() => setEditing(false)} title={t("contacts.edit_title", { name })} size="xl">
        <ContactForm contact={c} onCancel={() => setEditing(false)} onSaved={saved} />
      </Modal>
    </Stack>
  );
}
