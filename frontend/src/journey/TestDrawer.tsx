import { Alert, Badge, Button, Checkbox, Drawer, Group, List, SegmentedControl, Stack, Text, Timeline } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap, type Schemas } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { formatDateTime } from "../components/format";
import { ContactPicker } from "../pages/emails/ContactPicker";
import { typeKey } from "./catalog";
import type { Graph } from "./definition";

export type TestResult = Schemas["TestOut"];
type Props = {
  opened: boolean;
  onClose: () => void;
  journeyId: number;
  graph: Graph;
  beforeRun: () => Promise<void>;
  result: TestResult | null;
  onResult: (result: TestResult | null) => void;
};

/** Carry one contact through the draft, time compressed: which steps it takes and what would happen. */
export function TestDrawer({ opened, onClose, journeyId, graph, beforeRun, result, onResult }: Props) {
  const { t } = useTranslation();
  const [contactId, setContactId] = useState<number | null>(null);
  const [events, setEvents] = useState<Record<string, "happened" | "timeout">>({});
  const [sendEmails, setSendEmails] = useState(false);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const waits = graph.nodes.filter((n) => n.type === "flow.wait_for");

  async function run() {
    if (!contactId) return;
    setRunning(true);
    setError(null);
    try {
      await beforeRun();
      onResult(await unwrap(api.POST("/api/journeys/{journey_id}/test", {
        params: { path: { journey_id: journeyId } },
        body: { contact_id: contactId, events, send_emails: sendEmails },
      })));
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  }

  return (
    <Drawer opened={opened} onClose={onClose} position="right" size="md" withOverlay={false} lockScroll={false} title={t("journeys.test.title")}>
      <Stack data-testid="journey-test">
        <Text size="sm" c="dimmed">{t("journeys.test.hint")}</Text>
        <ContactPicker value={contactId} onChange={setContactId} label={t("journeys.test.contact")} />
        {waits.map((node) => (
          <div key={node.id}>
            <Text size="sm" fw={500}>{t("journeys.test.wait_for", { id: node.id })}</Text>
            <SegmentedControl size="xs" value={events[node.id] ?? "timeout"} data-testid={`journey-test-event-${node.id}`}
              onChange={(v) => setEvents((e) => ({ ...e, [node.id]: v as "happened" | "timeout" }))}
              data={[{ value: "happened", label: t("journeys.exits.happened") }, { value: "timeout", label: t("journeys.exits.timeout") }]} />
          </div>
        ))}
        <Checkbox label={t("journeys.test.send_emails")} checked={sendEmails} onChange={(e) => setSendEmails(e.currentTarget.checked)} data-testid="journey-test-send" />
        <Group>
          <Button onClick={() => void run()} loading={running} disabled={!contactId} data-testid="journey-test-run">{t("journeys.test.run")}</Button>
          {result && <Button variant="subtle" onClick={() => onResult(null)} data-testid="journey-test-clear">{t("journeys.test.clear")}</Button>}
        </Group>
        <ErrorAlert error={error} testId="journey-test-error" />
        {result && (
          <Stack gap="sm" data-testid="journey-test-result">
            <Group gap="xs">
              <Text fw={600}>{t("journeys.test.outcome")}</Text>
              <Badge data-testid="journey-test-outcome">{t(`journeys.test.outcomes.${result.outcome}`, { defaultValue: result.outcome })}</Badge>
            </Group>
            {result.problems.map((p, i) => <Alert key={i} color="red" p="xs">{p.message}</Alert>)}
            <Timeline active={result.path.length} bulletSize={14} lineWidth={2}>
              {result.path.map((step, i) => (
                <Timeline.Item key={i} title={t(`journeys.types.${typeKey(step.type)}`)} data-testid={`journey-test-step-${i}`}>
                  <Text size="xs" c="dimmed">{formatDateTime(step.at)}{step.label ? ` · ${step.label}` : ""}</Text>
                  {step.detail && <Text size="sm">{step.detail}</Text>}
                </Timeline.Item>
              ))}
            </Timeline>
            {result.effects.length > 0 && (
              <>
                <Text fw={600}>{t("journeys.test.effects")}</Text>
                <List size="sm" data-testid="journey-test-effects">
                  {result.effects.map((effect, i) => <List.Item key={i}>{effect}</List.Item>)}
                </List>
              </>
            )}
          </Stack>
        )}
      </Stack>
    </Drawer>
  );
}
