import { Badge, Card, Group, Modal, SimpleGrid, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { createJourney, keys } from "../../api/queries/journeys";
import { useTemplates } from "../../api/queries/templates";
import { ErrorAlert } from "../../components/ErrorAlert";
import { TemplateLanguageFilter, useTemplateLanguage } from "../../components/TemplateLanguage";

/** Start a journey: blank, or from a template of the gallery; one click creates it and opens it. */
export function NewJourneyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [language, setLanguage] = useTemplateLanguage();
  const templates = useTemplates("journey", language, { enabled: opened });

  async function create(templateId: number | null, fallbackName: string) {
    if (busy) return;
    setBusy(true);
    try {
      const journey = await createJourney({ name: name.trim() || fallbackName, description: "", template_id: templateId });
      void queries.invalidateQueries({ queryKey: keys.all });
      onClose();
      navigate(`/journeys/${journey.id}`);
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    } finally {
      setBusy(false);
    }
  }

  const card = (key: string, title: string, description: string, onClick: () => void, category?: string) => (
    <Card key={key} withBorder padding="md" onClick={onClick} style={{ cursor: busy ? "wait" : "pointer" }} data-testid={`journey-template-${key}`}>
      <Group justify="space-between" wrap="nowrap" mb={4}>
        <Text fw={600}>{title}</Text>
        {category && <Badge variant="light" size="sm">{category}</Badge>}
      </Group>
      <Text size="sm" c="dimmed">{description}</Text>
    </Card>
  );

  return (
    <Modal opened={opened} onClose={onClose} title={t("journeys.new")} size="xl">
      <TextInput label={t("journeys.name")} description={t("journeys.name_hint")} value={name} mb="md" data-testid="journey-new-name"
        onChange={(e) => setName(e.currentTarget.value)} />
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{t("journeys.start_from")}</Text>
        <TemplateLanguageFilter value={language} onChange={setLanguage} testId="journey-template-language" />
      </Group>
      <ErrorAlert error={templates.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
        <Card withBorder padding="md" onClick={() => void create(null, t("journeys.untitled"))} style={{ cursor: "pointer", borderStyle: "dashed" }}
          data-testid="journey-template-blank">
          <Group gap="xs" mb={4}><IconPlus size={16} /><Text fw={600}>{t("journeys.blank")}</Text></Group>
          <Text size="sm" c="dimmed">{t("journeys.blank_hint")}</Text>
        </Card>
        {templates.data?.map((tpl) => card(tpl.key ?? String(tpl.id), tpl.name, tpl.description, () => void create(tpl.id, tpl.name), tpl.category))}
      </SimpleGrid>
    </Modal>
  );
}
